import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { AlertMessage, FaceCropMessage, IdentityDecision, IdentityMessage, IntruderEvidence, Patterns, SCHEMA_VERSION } from '@sentinel/contracts';
import { SENTINEL_CONFIG, SentinelConfig } from '@sentinel/config';
import { EmbeddedFace, InvalidImageError } from '@sentinel/human';
import { HealthRegistry, MetricsService, StageTimer } from '@sentinel/telemetry';
import { LinkEmitter } from '@sentinel/transport';
import { CloudStats, FaceRecognitionStats } from './cloud-stats';
import { FaceEmbedder, faceQuality } from './embedder.service';
import { FaceQualityFacts, QualityGate, passesQualityGate } from './decision/open-set';
import { TrackBook, TrackFace, TrackStep } from './decision/track-book';
import { NotFoundInGalleryError } from './gallery/gallery';
import { SightingDecision } from './gallery/sightings-store';
import { GalleryService } from './gallery.service';
import { SimilaritySpace, trackEndRuleFor } from './matching/similarity-space';

export type CropOutcome =
  | { status: 'identified'; known: boolean; identityId: string; similarity: number; decision: IdentityDecision; facesPooled: number }
  | { status: 'undecided'; similarity: number; facesPooled: number }
  | { status: 'low-quality'; faceSize: number; faceQuality: number }
  | { status: 'no-face' }
  | { status: 'invalid-image'; reason: string };

export type { FaceRecognitionStats } from './cloud-stats';

/** What the track book keeps of each face, for storing it or showing it in an alert. */
interface FaceExtra {
  embedding: Float32Array;
  crop: Uint8Array;
  size: number;
  quality: number;
  /** The crop message it came in (camera, track, capture time, boxes): what a decision at track end reports. */
  message: FaceCropMessage;
}

/** The face's size and quality score: the fog's measure when it sent one, else the cloud's own. */
export function qualityFacts(message: Pick<FaceCropMessage, 'quality'>, face: EmbeddedFace): FaceQualityFacts {
  if (message.quality) return { size: message.quality.size, score: message.quality.score };
  return { size: Math.min(face.box.width, face.box.height), score: faceQuality(face) };
}

/** Faces remembered per track for pooling. */
const MAX_FACES_PER_TRACK = 16;
/** Pool weight of a face that passed the gate with a quality score of 0 (min quality configured 0). */
const MIN_WEIGHT = 0.01;

/** Clamps to the contracts' -1..1 range (float rounding can step over). */
const similarityOf = (value: number) => Math.max(-1, Math.min(1, value));

/**
 * The cloud's work per face crop: embed (Human), match against the gallery, tell the notification
 * service who it was, and raise an intruder alert for an unknown face.
 */
@Injectable()
export class FaceRecognitionService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(FaceRecognitionService.name);
  private readonly counts: CloudStats;
  private readonly tracks: TrackBook<FaceExtra>;
  private readonly gate: QualityGate;
  /** The similarity space of the faces the track book pools (it starts afresh when the gallery's changes). */
  private pooledSpace: SimilaritySpace | undefined;
  /** Checks for tracks that ended undecided (`cloud.trackEndMs`). */
  private endTimer: NodeJS.Timeout | undefined;
  private endingTracks = false;

  constructor(
    @Inject(SENTINEL_CONFIG) private readonly config: SentinelConfig,
    private readonly embedder: FaceEmbedder,
    private readonly gallery: GalleryService,
    private readonly links: LinkEmitter,
    private readonly timer: StageTimer,
    metrics: MetricsService,
    health: HealthRegistry,
  ) {
    // `/health` and `/stats` show the component's state and its counters.
    health.register('face-recognition', () => ({
      status: embedder.ready && gallery.store.db.open ? 'up' : 'down',
      matcher: config.cloud.matcher,
      similaritySpace: gallery.gallery.space,
      thresholds: gallery.gallery.thresholds(),
      knownVectors: gallery.gallery.knownVectors,
      unknownVectors: gallery.gallery.unknownVectors,
      ...this.stats(),
    }));
    this.counts = new CloudStats(metrics);
    const cloud = config.cloud;
    this.gate = { minFaceSize: cloud.minFaceSize, minFaceQuality: cloud.minFaceQuality };
    this.tracks = new TrackBook<FaceExtra>({
      thresholds: () => gallery.gallery.thresholds(),
      topK: cloud.trackTopK,
      maxFacesPerTrack: MAX_FACES_PER_TRACK,
      maxTracks: cloud.maxTracks,
      idleMs: cloud.trackIdleMs,
      endRule: () => trackEndRuleFor(gallery.gallery.space, cloud),
      endAfterMs: cloud.trackEndMs,
      endAfterFaces: cloud.trackEndFaces,
    });
  }

  onModuleInit(): void {
    const afterMs = this.config.cloud.trackEndMs;
    if (afterMs <= 0) return;
    this.endTimer = setInterval(() => void this.endIdleTracks(), Math.max(50, Math.min(1000, Math.floor(afterMs / 4))));
    this.endTimer.unref();
  }

  onModuleDestroy(): void {
    if (this.endTimer) clearInterval(this.endTimer);
    this.endTimer = undefined;
  }

  /**
   * Decides the tracks that stayed undecided and got no face for `cloud.trackEndMs` (the fog sends no
   * track-end message: silence is the end). Returns how many were decided. Public for tests.
   */
  async endIdleTracks(now = Date.now()): Promise<number> {
    if (this.endingTracks) return 0;
    this.endingTracks = true;
    try {
      const ended = this.tracks.endIdle(now);
      for (const { key, step } of ended) {
        try {
          await this.decideEnded(key, step);
        } catch (error) {
          this.logger.error(`track ${key}: decision at track end failed: ${(error as Error).message}`);
        }
      }
      return ended.length;
    } finally {
      this.endingTracks = false;
    }
  }

  private async decideEnded(key: string, step: TrackStep): Promise<void> {
    const face = this.tracks.bestFace(key);
    if (!face) return;
    const { message } = face.extra;
    const facts: FaceQualityFacts = { size: face.extra.size, score: face.extra.quality };
    if (step.action === 'name') await this.named(message, step, facts, face.extra.embedding);
    else if (step.action === 'unknown') await this.unknown(message, key, step, facts);
    else this.undecided(message, step, facts);
  }

  stats(): FaceRecognitionStats {
    return this.counts.snapshot();
  }

  /**
   * Handles one fog crop; resolves when the identity (and alert) have been handed to the link.
   * Records `capture-to-cloud`: frame capture at the roof to the cloud's decision on this crop
   * (the end-to-end latency of a crop whether or not it leads to an alert).
   */
  async handleCrop(message: FaceCropMessage): Promise<CropOutcome> {
    try {
      return await this.recognise(message);
    } finally {
      this.timer.record('capture-to-cloud', Math.max(0, Date.now() - message.capturedAt));
    }
  }

  private async recognise(message: FaceCropMessage): Promise<CropOutcome> {
    this.counts.cropReceived(message.kind);
    let face: EmbeddedFace | undefined;
    try {
      // A face crop holds one face; a person crop may show others behind: take the most confident.
      const faces = await this.timer.time('embedding', () => this.embedder.embed(message.jpeg, message.kind === 'face' ? 1 : 3));
      face = faces[0];
    } catch (error) {
      if (!(error instanceof InvalidImageError)) throw error;
      this.counts.cropRejected('invalid-image');
      this.logger.warn(`crop ${message.cameraId}#${message.trackId} seq ${message.seq}: ${error.message}`);
      return { status: 'invalid-image', reason: error.message };
    }
    if (!face) {
      this.counts.cropWithoutFace();
      return { status: 'no-face' };
    }
    const facts = qualityFacts(message, face);
    if (!passesQualityGate(facts, this.gate)) {
      this.counts.faceLowQuality();
      return { status: 'low-quality', faceSize: facts.size, faceQuality: facts.score };
    }
    const key = `${message.cameraId}#${message.trackId}`;
    const { embedding } = face;
    const step = await this.timer.time('matching', () => {
      const gallery = this.gallery.gallery;
      if (gallery.space !== this.pooledSpace) {
        if (this.pooledSpace) this.logger.log(`similarity space ${this.pooledSpace} -> ${gallery.space}: tracks pool afresh`);
        this.tracks.forgetFaces();
        this.pooledSpace = gallery.space;
      }
      const people = gallery.rankPeople(embedding);
      const extra: FaceExtra = { embedding, crop: message.jpeg, size: facts.size, quality: facts.score, message };
      return this.tracks.observe(key, { people, weight: Math.max(facts.score, MIN_WEIGHT), at: Date.now(), extra });
    });
    switch (step.action) {
      case 'name':
        return this.named(message, step, facts, embedding);
      case 'unknown':
        return this.unknown(message, key, step, facts);
      default:
        return this.undecided(message, step, facts);
    }
  }

  private undecided(message: FaceCropMessage, step: Extract<TrackStep, { action: 'undecided' }>, facts: FaceQualityFacts): CropOutcome {
    this.counts.identity('undecided');
    this.record(message, { decision: 'undecided', identityId: step.nearest?.personId ?? null, similarity: step.nearest?.similarity ?? 0, facesPooled: step.faces }, facts);
    if (step.end) {
      const who = step.nearest ? this.gallery.store.getPerson(step.nearest.personId)?.name ?? step.nearest.personId : 'nobody';
      this.logger.log(`track ${message.cameraId}#${message.trackId} ended undecided: resembles ${who} at ${similarityOf(step.nearest?.similarity ?? 0).toFixed(2)}` +
        (step.end.margin !== undefined ? `, margin ${step.end.margin.toFixed(2)} to the second` : '') + ': not named, no alert');
    }
    return { status: 'undecided', similarity: similarityOf(step.nearest?.similarity ?? 0), facesPooled: step.faces };
  }

  private async named(message: FaceCropMessage, step: Extract<TrackStep, { action: 'name' }>, facts: FaceQualityFacts, embedding: Float32Array): Promise<CropOutcome> {
    const person = this.gallery.store.getPerson(step.personId);
    if (!person) return { status: 'undecided', similarity: similarityOf(step.similarity), facesPooled: step.faces }; // deleted meanwhile
    let mergedFrom: string | undefined;
    // The track was an unknown before; or this face of a named person also matches a stored unknown
    // (a false reject of this person from earlier): either way that unknown was this person.
    const nearestUnknown = step.mergeUnknownId ? undefined : this.gallery.gallery.nearestUnknown(embedding);
    const mergeId = step.mergeUnknownId ?? (nearestUnknown && nearestUnknown.similarity >= this.gallery.gallery.thresholds().upper ? nearestUnknown.ownerId : undefined);
    if (mergeId) {
      try {
        const { faces } = this.gallery.gallery.mergeUnknownInto(mergeId, person.id);
        mergedFrom = mergeId;
        this.tracks.unknownGone(mergedFrom, person.id);
        this.counts.unknownMerged();
        this.logger.log(`${mergedFrom} merged into ${person.name} (${person.id}): ${faces} faces kept as enrolled faces`);
      } catch (error) {
        if (!(error instanceof NotFoundInGalleryError)) throw error; // promoted or deleted meanwhile
      }
    }
    const similarity = similarityOf(step.similarity);
    this.record(message, { decision: 'named', identityId: person.id, name: person.name, similarity, facesPooled: step.faces, mergedFrom }, facts);
    this.counts.identity('known');
    const identity: IdentityMessage = {
      ...this.base(message),
      trackId: message.trackId,
      known: true,
      identityId: person.id,
      name: person.name,
      similarity,
      decision: 'named',
      facesPooled: step.faces,
      ...(mergedFrom ? { mergedFrom } : {}),
    };
    await this.emit(Patterns.Identity, identity);
    return { status: 'identified', known: true, identityId: person.id, similarity, decision: 'named', facesPooled: step.faces };
  }

  private async unknown(message: FaceCropMessage, key: string, step: Extract<TrackStep, { action: 'unknown' }>, facts: FaceQualityFacts): Promise<CropOutcome> {
    const gallery = this.gallery.gallery;
    const face = this.tracks.bestFace(key)!;
    const sighting = { cameraId: message.cameraId, capturedAt: message.capturedAt, trackId: message.trackId, crop: message.jpeg, quality: facts.score };
    const nearest = step.nearest ? { ownerId: step.nearest.personId, similarity: step.nearest.similarity, best: step.nearest.similarity } : undefined;
    // The step's id, or one a crop of this track got meanwhile (a track ended by time while its next crop was in flight).
    let unknownId = step.unknownId ?? this.tracks.unknownIdOf(key);
    let isNew = false;
    let sightings = 1;
    if (unknownId) {
      try {
        sightings = gallery.addUnknownSighting(unknownId, this.lastEmbedding(key), sighting);
      } catch (error) {
        if (!(error instanceof NotFoundInGalleryError)) throw error;
        unknownId = undefined; // forgotten or promoted meanwhile: match afresh
      }
    }
    if (!unknownId) {
      const match = gallery.matchUnknown(this.lastEmbedding(key), sighting, nearest);
      ({ unknownId, isNew, sightings } = match);
      this.tracks.assignUnknown(key, unknownId);
    }
    const similarity = similarityOf(step.nearest?.similarity ?? 0);
    this.record(message, { decision: 'unknown', identityId: unknownId, similarity, facesPooled: step.faces }, facts);
    this.counts.identity('unknown');
    const identity: IdentityMessage = {
      ...this.base(message),
      trackId: message.trackId,
      known: false,
      identityId: unknownId,
      similarity,
      decision: 'unknown',
      facesPooled: step.faces,
    };
    await this.emit(Patterns.Identity, identity);
    if (step.raiseAlert) await this.alert(message, step, unknownId, { isNew, sightings }, face);
    return { status: 'identified', known: false, identityId: unknownId, similarity, decision: 'unknown', facesPooled: step.faces };
  }

  /** One intruder alert per stranger track, carrying its evidence: the best face, the nearest enrolled person, the faces seen. */
  private async alert(
    message: FaceCropMessage,
    step: Extract<TrackStep, { action: 'unknown' }>,
    unknownId: string,
    seen: { isNew: boolean; sightings: number },
    face: TrackFace<FaceExtra>,
  ): Promise<void> {
    const nearestPerson = step.nearest ? this.gallery.store.getPerson(step.nearest.personId) : undefined;
    const similarity = similarityOf(step.nearest?.similarity ?? 0);
    const evidence: IntruderEvidence = {
      facesPooled: step.faces,
      ...(message.facesSeen !== undefined ? { facesSeen: Math.max(message.facesSeen, step.faces) } : {}),
      faceSize: Math.min(16384, face.extra.size),
      faceQuality: Math.max(0, Math.min(1, face.extra.quality)),
      ...(nearestPerson && step.nearest ? { nearestPersonId: nearestPerson.id, nearestName: nearestPerson.name, nearestSimilarity: similarity } : {}),
      decidedAt: step.end ? 'track-end' : 'face',
      ...(step.end ? this.endEvidence(step.end) : {}),
    };
    const alert: AlertMessage = {
      ...this.base(message),
      id: randomUUID(),
      kind: this.config.cloud.intruderAlertKind,
      at: Date.now(),
      trackId: message.trackId,
      subject: unknownId,
      label: 'unknown face',
      score: similarity,
      boxes: [message.faceBox ?? message.personBox],
      snapshot: face.extra.crop,
      message:
        `${seen.isNew ? 'New unknown face' : 'Unknown face seen again'} (${unknownId}) on camera ${message.cameraId}` +
        (nearestPerson ? `; nearest enrolled person ${nearestPerson.name} at ${similarity.toFixed(2)}` : '') +
        `; ${step.faces} face${step.faces === 1 ? '' : 's'} of the track pooled` +
        (step.end ? `; decided at track end (${step.end.trigger === 'idle' ? 'no face for a while' : 'enough faces'}: ${step.end.reason === 'no-clear-match' ? 'no clear match' : 'far from everyone'}` +
          (step.end.margin !== undefined ? `, margin ${step.end.margin.toFixed(2)} to the second nearest` : '') + ')' : ''),
      details: {
        isNew: seen.isNew,
        sightings: seen.sightings,
        ...(nearestPerson ? { closestPersonId: nearestPerson.id, closestSimilarity: similarity } : {}),
      },
      evidence,
    };
    this.counts.intruderAlert();
    await this.emit(Patterns.Alert, alert);
  }

  /** The track-end facts an intruder alert carries: trigger, reason, the second nearest person and the margin. */
  private endEvidence(end: NonNullable<Extract<TrackStep, { action: 'unknown' }>['end']>): Partial<IntruderEvidence> {
    const second = end.second ? this.gallery.store.getPerson(end.second.personId) : undefined;
    return {
      endTrigger: end.trigger,
      ...(end.reason === 'far-from-everyone' || end.reason === 'no-clear-match' ? { endReason: end.reason } : {}),
      ...(second && end.second ? { secondPersonId: second.id, secondName: second.name, secondSimilarity: similarityOf(end.second.similarity) } : {}),
      ...(end.margin !== undefined ? { margin: Math.max(-2, Math.min(2, end.margin)) } : {}),
    };
  }

  private lastEmbedding(key: string): Float32Array {
    return this.tracks.lastFace(key)!.extra.embedding;
  }

  private base(message: FaceCropMessage): { v: typeof SCHEMA_VERSION; cameraId: string; capturedAt: number } {
    return { v: SCHEMA_VERSION, cameraId: message.cameraId, capturedAt: message.capturedAt };
  }

  /** Every decision goes to the sightings table (REST `GET /sightings`), undecided ones included. */
  private record(
    message: FaceCropMessage,
    decision: { decision: SightingDecision; identityId: string | null; name?: string; similarity: number; facesPooled: number; mergedFrom?: string },
    facts: FaceQualityFacts,
  ): void {
    this.gallery.sightings.add({
      cameraId: message.cameraId,
      trackId: message.trackId,
      capturedAt: message.capturedAt,
      decidedAt: Date.now(),
      decision: decision.decision,
      identityId: decision.identityId,
      name: decision.name ?? null,
      similarity: decision.similarity,
      facesPooled: decision.facesPooled,
      faceSize: facts.size,
      faceQuality: facts.score,
      mergedFrom: decision.mergedFrom ?? null,
    });
  }

  private async emit(pattern: typeof Patterns.Identity | typeof Patterns.Alert, message: object): Promise<void> {
    const outcome = await this.links.emit(pattern, message, { whenFull: 'wait' });
    if (outcome === 'delivered') return;
    this.counts.emitFailed(pattern, outcome);
    this.logger.warn(`${pattern} message not delivered: ${outcome}`);
  }
}
