import { Box } from '../geometry/box';
import { Point, pointInPolygon } from '../geometry/polygon';

export interface Zone {
  name?: string;
  points: readonly Point[];
}

export interface SuspiciousWatchOptions {
  /** Class ids that count as suspicious. */
  classIds: ReadonlySet<number>;
  minDwellMs: number;
  /** Zones of this camera; empty: the whole frame counts. */
  zones: readonly Zone[];
}

export interface WatchedObject {
  trackId: number;
  classId: number;
  box: Box;
}

export interface DwellAlert extends WatchedObject {
  /** Time the object entered the zone (or appeared), capture ms. */
  since: number;
  zone?: string;
}

/**
 * One camera's watch over suspicious objects: a tracked object of a watched class that stays (its
 * box's bottom-centre inside a zone, when the camera has zones) for `minDwellMs` raises one alert
 * per track. Leaving the zone resets the clock.
 */
export class SuspiciousWatch {
  private readonly dwell = new Map<number, { since: number; alerted: boolean }>();

  constructor(private readonly options: SuspiciousWatchOptions) {}

  /** Zone holding the object's footprint: undefined when outside all zones; '' when the camera has none. */
  zoneOf(box: Box): string | undefined {
    if (!this.options.zones.length) return '';
    const x = box.x + box.width / 2;
    const y = box.y + box.height;
    const zone = this.options.zones.find((z) => pointInPolygon(x, y, z.points));
    return zone ? (zone.name ?? 'zone') : undefined;
  }

  update(objects: readonly WatchedObject[], at: number): DwellAlert[] {
    const alerts: DwellAlert[] = [];
    for (const object of objects) {
      if (!this.options.classIds.has(object.classId)) continue;
      const zone = this.zoneOf(object.box);
      if (zone === undefined) {
        this.dwell.delete(object.trackId);
        continue;
      }
      let state = this.dwell.get(object.trackId);
      if (!state) this.dwell.set(object.trackId, (state = { since: at, alerted: false }));
      if (!state.alerted && at - state.since >= this.options.minDwellMs) {
        state.alerted = true;
        alerts.push({ ...object, since: state.since, zone: zone || undefined });
      }
    }
    return alerts;
  }

  forget(trackId: number): void {
    this.dwell.delete(trackId);
  }
}
