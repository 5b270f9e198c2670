import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { AlertMessage, FaceCropMessage, IdentityMessage, Patterns, SCHEMA_VERSION } from '@sentinel/contracts';
import { SENTINEL_CONFIG, SentinelConfig } from '@sentinel/config';
import { EmbeddedFace, InvalidImageError } from '@sentinel/human';
import { HealthRegistry, MetricsService, StageTimer } from '@sentinel/telemetry';
import { LinkEmitter } from '@sentinel/transport';
import { CloudStats, FaceRecognitionStats } from './cloud-stats';
import { FaceEmbedder, faceQuality } from './embedder.service';
import { Identification } from './gallery/gallery';
import { GalleryService } from './gallery.service';

export type { FaceRecognitionStats } from './cloud-stats';

export type CropOutcome =
  | { status: 'identified'; known: boolean; identityId: string; similarity: number }
  | { status: 'no-face' }
  | { status: 'invalid-image'; reason: string };


/** Clamps to the contracts' -1..1 range (float rounding can step over). */
const similarityOf = (value: number) => Math.max(-1, Math.min(1, value));

/**
 * The cloud's work per face crop: embed (Human), match against the gallery, tell the notification
 * service who it was, and raise an intruder alert for an unknown face.
 */
@Injectable()
export class FaceRecognitionService {
  private readonly logger = new Logger(FaceRecognitionService.name);
  private readonly counts: CloudStats;

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
      knownVectors: gallery.gallery.knownVectors,
      unknownVectors: gallery.gallery.unknownVectors,
      ...this.stats(),
    }));
    this.counts = new CloudStats(metrics);
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
    const embedding = face.embedding;
    const quality = faceQuality(face);
    const identity = await this.timer.time('matching', () =>
      this.gallery.gallery.identify(embedding, {
        cameraId: message.cameraId,
        capturedAt: message.capturedAt,
        trackId: message.trackId,
        crop: message.jpeg,
        quality,
      }),
    );
    await this.report(message, identity);
    return identity.known
      ? { status: 'identified', known: true, identityId: identity.personId, similarity: identity.similarity }
      : { status: 'identified', known: false, identityId: identity.unknownId, similarity: identity.similarity };
  }

  private async report(message: FaceCropMessage, identity: Identification): Promise<void> {
    const base = { v: SCHEMA_VERSION, cameraId: message.cameraId, capturedAt: message.capturedAt };
    const identityMessage: IdentityMessage = identity.known
      ? { ...base, trackId: message.trackId, known: true, identityId: identity.personId, name: identity.name, similarity: similarityOf(identity.similarity) }
      : { ...base, trackId: message.trackId, known: false, identityId: identity.unknownId, similarity: similarityOf(identity.similarity) };
    this.counts.identity(identity.known);
    await this.emit(Patterns.Identity, identityMessage);
    if (identity.known) return;

    const alert: AlertMessage = {
      ...base,
      id: randomUUID(),
      kind: this.config.cloud.intruderAlertKind,
      at: Date.now(),
      trackId: message.trackId,
      subject: identity.unknownId,
      label: 'unknown face',
      score: similarityOf(identity.similarity),
      boxes: [message.faceBox ?? message.personBox],
      snapshot: message.jpeg,
      message: `${identity.isNew ? 'New unknown face' : 'Unknown face seen again'} (${identity.unknownId}) on camera ${message.cameraId}`,
      details: {
        isNew: identity.isNew,
        sightings: identity.sightings,
        ...(identity.bestKnown ? { closestPersonId: identity.bestKnown.personId, closestSimilarity: identity.bestKnown.similarity } : {}),
      },
    };
    this.counts.intruderAlert();
    await this.emit(Patterns.Alert, alert);
  }

  private async emit(pattern: typeof Patterns.Identity | typeof Patterns.Alert, message: object): Promise<void> {
    const outcome = await this.links.emit(pattern, message, { whenFull: 'wait' });
    if (outcome === 'delivered') return;
    this.counts.emitFailed(pattern, outcome);
    this.logger.warn(`${pattern} message not delivered: ${outcome}`);
  }
}
