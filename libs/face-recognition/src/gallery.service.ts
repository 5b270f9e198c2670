import { isAbsolute, resolve } from 'node:path';
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { CloudConfig, SENTINEL_CONFIG, SentinelConfig } from '@sentinel/config';
import { MetricsService } from '@sentinel/telemetry';
import { FaceEmbedder } from './embedder.service';
import { Gallery, GalleryOptions } from './gallery/gallery';
import { GalleryStore } from './gallery/gallery-store';
import { SightingsStore } from './gallery/sightings-store';
import { thresholdsFor } from './matching/similarity-space';

/** Gallery file: `cloud.galleryPath`, relative to `dataDir` unless absolute (`:memory:` for a throwaway gallery). */
export function galleryFileOf(config: SentinelConfig): string {
  const path = config.cloud.galleryPath;
  if (path === ':memory:' || isAbsolute(path)) return path;
  return resolve(config.dataDir, path);
}

/** The gallery's options from `cloud.*` (the thresholds follow the similarity space in use). */
export function galleryOptionsOf(cloud: CloudConfig, model: string): GalleryOptions {
  return {
    model,
    matcher: cloud.matcher,
    rerankCandidates: cloud.rerankCandidates,
    aggregate: cloud.aggregate,
    topK: cloud.topK,
    thresholds: (space) => thresholdsFor(space, cloud),
    unknownFacesPerIdentity: cloud.unknownFacesPerIdentity,
    centering: cloud.centering,
  };
}

const RETENTION_CHECK_MS = 3_600_000;

/** Owns the gallery (SQLite store + in-memory matchers) for the lifetime of the module. */
@Injectable()
export class GalleryService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(GalleryService.name);
  readonly store: GalleryStore;
  readonly gallery: Gallery;
  /** Every identity decision (same database). */
  readonly sightings: SightingsStore;
  private readonly retentionDays: number;
  private retentionTimer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(SENTINEL_CONFIG) config: SentinelConfig,
    embedder: FaceEmbedder,
    metrics: MetricsService,
  ) {
    const cloud = config.cloud;
    this.retentionDays = cloud.unknownRetentionDays;
    this.store = new GalleryStore(galleryFileOf(config));
    this.sightings = new SightingsStore(this.store.db, cloud.maxSightings);
    this.gallery = new Gallery(this.store, galleryOptionsOf(cloud, embedder.model));
    const vectors = metrics.gauge('sentinel_cloud_gallery_vectors', 'Face embeddings held by the matcher', ['kind']);
    const people = metrics.gauge('sentinel_cloud_gallery_people', 'People enrolled in the gallery');
    // prom-client calls a gauge's `collect` at scrape time: the figures are never stale.
    Object.assign(vectors, {
      collect: () => {
        vectors.set({ kind: 'known' }, this.gallery.knownVectors);
        vectors.set({ kind: 'unknown' }, this.gallery.unknownVectors);
      },
    });
    Object.assign(people, { collect: () => people.set(this.store.counts().people) });
  }

  onModuleInit(): void {
    const report = this.gallery.load();
    this.applyRetention();
    if (this.retentionDays > 0) {
      this.retentionTimer = setInterval(() => this.applyRetention(), RETENTION_CHECK_MS);
      this.retentionTimer.unref();
    }
    this.logger.log(
      `gallery ${this.store.path}: ${report.faces} enrolled and ${report.unknownFaces} unknown face embeddings loaded` +
        (report.skipped ? `, ${report.skipped} of another model skipped (re-enroll them)` : ''),
    );
  }

  onModuleDestroy(): void {
    if (this.retentionTimer) clearInterval(this.retentionTimer);
    this.store.close();
  }

  /** Forgets strangers not seen for `cloud.unknownRetentionDays`. */
  applyRetention(now = Date.now()): number {
    if (this.retentionDays <= 0 || !this.store.db.open) return 0;
    const forgotten = this.gallery.forgetUnknownsSeenBefore(now - this.retentionDays * 86_400_000);
    if (forgotten) this.logger.log(`forgot ${forgotten} unknown face identities not seen for ${this.retentionDays} days`);
    return forgotten;
  }
}
