import type { SentinelConfig } from '@sentinel/config';
import { modulesOfProcess } from '@sentinel/config';

/** Label of every camera id that may not become a label of its own. */
export const OTHER_CAMERA = 'other';
/** Distinct camera labels a process that does not know its cameras keeps (the first ones seen). */
export const MAX_SEEN_CAMERAS = 64;

/**
 * Camera ids arrive from the wire, so they become metric labels only when bounded: a process running
 * the roof knows its configured cameras and labels any other id `other`; a fog or cloud does not know
 * them and keeps the first `max` ids seen, labelling later new ones `other` (and says when that starts).
 */
export class CameraLabels {
  private readonly seen = new Set<string>();
  private readonly configured?: ReadonlySet<string>;

  constructor(configured: readonly string[] | undefined, private readonly max = MAX_SEEN_CAMERAS) {
    if (configured?.length) this.configured = new Set(configured);
  }

  /**
   * The cameras a process's configuration names, when it runs the roof (which owns them). Without
   * configured cameras (the demo camera, stand-in modules in tests) the first-seen cap applies.
   */
  static of(config: SentinelConfig | undefined): CameraLabels {
    if (!config || !modulesOfProcess(config).includes('frame-change')) return new CameraLabels(undefined);
    return new CameraLabels(config.roof.cameras.map((camera) => camera.id));
  }

  /** The label of `cameraId`, and whether it was folded into `other` because of the cap (not the configured set). */
  label(cameraId: string): { label: string; capped: boolean } {
    // Names of Object.prototype (`__proto__`, `constructor`, ...) never become labels, whatever the config.
    if (cameraId in Object.prototype || cameraId === 'prototype') return { label: OTHER_CAMERA, capped: false };
    if (this.configured) return { label: this.configured.has(cameraId) ? cameraId : OTHER_CAMERA, capped: false };
    if (this.seen.has(cameraId)) return { label: cameraId, capped: false };
    if (this.seen.size >= this.max) return { label: OTHER_CAMERA, capped: true };
    this.seen.add(cameraId);
    return { label: cameraId, capped: false };
  }
}
