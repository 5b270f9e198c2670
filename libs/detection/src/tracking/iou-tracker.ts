import { Box, iou } from '../geometry/box';

export interface TrackerOptions {
  iouThreshold: number;
  /** A track unseen for longer than this (capture time, ms) ends. */
  maxIdleMs: number;
  maxTracks: number;
}

export interface Track {
  id: number;
  classId: number;
  box: Box;
  score: number;
  /** Frames the track was matched in, including the first. */
  hits: number;
  firstSeenAt: number;
  lastSeenAt: number;
  /** Smoothed motion of the box centre, pixels per ms (0 until the second match). */
  vx: number;
  vy: number;
}

export interface TrackInput {
  classId: number;
  box: Box;
  score: number;
}

export interface TrackUpdate {
  /** For each input detection (same order), its track. */
  assigned: Track[];
  /** Tracks that started in this frame. */
  started: Track[];
  /** Tracks that ended (idle too long, or evicted). */
  ended: Track[];
}

/** Weight of the newest displacement in the smoothed velocity. */
const VELOCITY_SMOOTHING = 0.5;

/** Where a track's box should be at `at`, moving at its smoothed velocity since it was last seen. */
export function predictBox(track: Track, at: number): Box {
  const dt = at - track.lastSeenAt;
  return { ...track.box, x: track.box.x + track.vx * dt, y: track.box.y + track.vy * dt };
}

/**
 * One camera's tracker: a detection continues the track of the same class it overlaps most
 * (IoU >= threshold against the track's box moved by its smoothed velocity, so people keep their
 * track across the frames the roof skipped), pairs taken greedily from the highest IoU down; the
 * rest start new tracks. Ids grow from 1 and are never reused within a camera.
 */
export class IouTracker {
  private readonly tracks = new Map<number, Track>();
  private nextId = 1;

  constructor(private readonly options: TrackerOptions) {}

  get active(): readonly Track[] {
    return [...this.tracks.values()];
  }

  /** Ends every track (a scene change): returns them. Ids keep growing. */
  endAll(): Track[] {
    const ended = [...this.tracks.values()];
    this.tracks.clear();
    return ended;
  }

  /** Ends track `id` and starts a new one in its place (same box, class and score: another person stood there). */
  restart(id: number, at: number): Track | undefined {
    const old = this.tracks.get(id);
    if (!old) return undefined;
    this.tracks.delete(id);
    return this.start({ classId: old.classId, box: old.box, score: old.score }, at);
  }

  private start(det: TrackInput, at: number): Track {
    const track: Track = { id: this.nextId++, classId: det.classId, box: det.box, score: det.score, hits: 1, firstSeenAt: at, lastSeenAt: at, vx: 0, vy: 0 };
    this.tracks.set(track.id, track);
    return track;
  }

  update(detections: readonly TrackInput[], at: number): TrackUpdate {
    const ended: Track[] = [];
    for (const track of this.tracks.values()) {
      if (at - track.lastSeenAt > this.options.maxIdleMs) {
        this.tracks.delete(track.id);
        ended.push(track);
      }
    }
    const tracks = [...this.tracks.values()];
    const predicted = tracks.map((track) => predictBox(track, at));
    const pairs: { d: number; t: number; overlap: number }[] = [];
    detections.forEach((det, d) => {
      tracks.forEach((track, t) => {
        if (track.classId !== det.classId) return;
        const overlap = iou(det.box, predicted[t]);
        if (overlap >= this.options.iouThreshold) pairs.push({ d, t, overlap });
      });
    });
    pairs.sort((a, b) => b.overlap - a.overlap);
    const assigned = new Array<Track | undefined>(detections.length);
    const taken = new Set<number>();
    for (const { d, t } of pairs) {
      if (assigned[d] || taken.has(t)) continue;
      taken.add(t);
      const track = tracks[t];
      const box = detections[d].box;
      const dt = at - track.lastSeenAt;
      if (dt > 0) {
        const vx = (box.x + box.width / 2 - (track.box.x + track.box.width / 2)) / dt;
        const vy = (box.y + box.height / 2 - (track.box.y + track.box.height / 2)) / dt;
        const first = track.hits === 1;
        track.vx = first ? vx : VELOCITY_SMOOTHING * vx + (1 - VELOCITY_SMOOTHING) * track.vx;
        track.vy = first ? vy : VELOCITY_SMOOTHING * vy + (1 - VELOCITY_SMOOTHING) * track.vy;
      }
      track.box = box;
      track.score = detections[d].score;
      track.hits++;
      track.lastSeenAt = at;
      assigned[d] = track;
    }
    const started: Track[] = [];
    detections.forEach((det, d) => {
      if (assigned[d]) return;
      const track = this.start(det, at);
      started.push(track);
      assigned[d] = track;
    });
    if (this.tracks.size > this.options.maxTracks) {
      const oldest = [...this.tracks.values()].sort((a, b) => a.lastSeenAt - b.lastSeenAt).slice(0, this.tracks.size - this.options.maxTracks);
      for (const track of oldest) {
        this.tracks.delete(track.id);
        ended.push(track);
      }
    }
    return { assigned: assigned as Track[], started, ended };
  }
}
