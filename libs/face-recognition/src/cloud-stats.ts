import { MetricsService, StatCounter, StatFactory } from '@sentinel/telemetry';

export interface FaceRecognitionStats {
  cropsReceived: number;
  cropsWithoutFace: number;
  cropsInvalid: number;
  /** Faces too small or too poor to count as evidence (never named, never an intruder). */
  facesLowQuality: number;
  identitiesKnown: number;
  identitiesUnknown: number;
  /** Faces whose track stayed between the thresholds (no event). */
  undecided: number;
  /** Unknowns merged into an enrolled person. */
  merges: number;
  intruderAlerts: number;
  /** Emits the link did not deliver (dropped or failed). */
  emitFailures: number;
}

/**
 * The cloud's counters: each method is one call that updates the Prometheus metric and the figure
 * `/health` and `/stats` show (`snapshot()`), from one StatCounter.
 */
export class CloudStats {
  private readonly crops: StatCounter<'kind'>;
  private readonly noFace: StatCounter;
  private readonly rejected: StatCounter<'reason'>;
  private readonly identities: StatCounter<'result'>;
  private readonly intruders: StatCounter;
  private readonly emitFailures: StatCounter<'pattern' | 'outcome'>;
  private readonly lowQuality: StatCounter;
  private readonly merges: StatCounter;

  constructor(metrics?: MetricsService) {
    const stat = new StatFactory(metrics);
    this.crops = stat.counter('sentinel_cloud_crops_total', 'Face crops received by the cloud', ['kind']);
    this.noFace = stat.counter('sentinel_cloud_crops_without_face_total', 'Crops in which no face could be embedded (acknowledged, no identity)');
    this.rejected = stat.counter('sentinel_cloud_crops_rejected_total', 'Crops that could not be processed', ['reason']);
    this.identities = stat.counter('sentinel_cloud_identities_total', 'Identities decided for face crops', ['result']);
    this.intruders = stat.counter('sentinel_cloud_intruder_alerts_total', 'Intruder alerts raised for unknown faces');
    this.emitFailures = stat.counter('sentinel_cloud_emit_failures_total', 'Identity/alert messages the link did not deliver', ['pattern', 'outcome']);
    this.lowQuality = stat.counter('sentinel_cloud_faces_low_quality_total', 'Faces below cloud.minFaceSize or cloud.minFaceQuality: counted, never named, never an intruder');
    this.merges = stat.counter('sentinel_cloud_unknowns_merged_total', 'Unknowns merged into an enrolled person when their track was named');
  }

  cropReceived(kind: string): void {
    this.crops.inc({ kind });
  }

  cropRejected(reason: 'invalid-image'): void {
    this.rejected.inc({ reason });
  }

  cropWithoutFace(): void {
    this.noFace.inc();
  }

  /** One decision about a face: `known` (named), `unknown` or `undecided`. */
  identity(result: 'known' | 'unknown' | 'undecided'): void {
    this.identities.inc({ result });
  }

  faceLowQuality(): void {
    this.lowQuality.inc();
  }

  unknownMerged(): void {
    this.merges.inc();
  }

  intruderAlert(): void {
    this.intruders.inc();
  }

  emitFailed(pattern: string, outcome: string): void {
    this.emitFailures.inc({ pattern, outcome });
  }

  snapshot(): FaceRecognitionStats {
    return {
      cropsReceived: this.crops.total,
      cropsWithoutFace: this.noFace.total,
      cropsInvalid: this.rejected.value({ reason: 'invalid-image' }),
      facesLowQuality: this.lowQuality.total,
      identitiesKnown: this.identities.value({ result: 'known' }),
      identitiesUnknown: this.identities.value({ result: 'unknown' }),
      undecided: this.identities.value({ result: 'undecided' }),
      merges: this.merges.total,
      intruderAlerts: this.intruders.total,
      emitFailures: this.emitFailures.total,
    };
  }
}
