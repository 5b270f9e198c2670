import { api } from './api';
import { BandwidthRates, BandwidthTotals, CameraSnapshot, HealthAnswer, Stats, bandwidthRates, bandwidthTotals, camerasOf } from './stats-model';

/** Samples kept for the charts: 2 minutes at one sample every 2 s. */
export const HISTORY = 60;
export const POLL_MS = 2_000;

export interface LiveSample {
  stats: Stats;
  health?: HealthAnswer;
  cameras: CameraSnapshot[];
  /** Cameras of the previous sample, for rates. */
  previousCameras: Map<string, CameraSnapshot>;
  seconds: number;
  rates?: BandwidthRates;
  /** Bytes since the process started: the shares of raw are taken on these (steadier than rates). */
  totals: BandwidthTotals;
  history: BandwidthRates[];
}

type Listener = (sample: LiveSample) => void;

/** Polls /stats and /health while the page is open and tells every view; keeps the rate history. */
export class LiveStats {
  private timer?: number;
  private listeners = new Set<Listener>();
  private lastTotals?: BandwidthTotals;
  private lastCameras = new Map<string, CameraSnapshot>();
  private history: BandwidthRates[] = [];
  latest?: LiveSample;
  error?: string;

  start(): void {
    if (this.timer !== undefined) return;
    void this.poll();
    this.timer = window.setInterval(() => void this.poll(), POLL_MS);
  }

  stop(): void {
    if (this.timer !== undefined) window.clearInterval(this.timer);
    this.timer = undefined;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    if (this.latest) listener(this.latest);
    return () => this.listeners.delete(listener);
  }

  private async poll(): Promise<void> {
    let stats: Stats;
    try {
      stats = await api.get<Stats>('/stats');
    } catch (error) {
      this.error = (error as Error).message;
      return;
    }
    // /health answers 503 with the same body shape when something is down.
    const health = await fetch('/health', { credentials: 'same-origin' })
      .then((r) => r.json() as Promise<HealthAnswer>)
      .catch(() => undefined);
    const now = Date.now();
    const totals = bandwidthTotals(stats, now);
    const seconds = this.lastTotals ? (now - this.lastTotals.at) / 1000 : 0;
    const rates = this.lastTotals ? bandwidthRates(this.lastTotals, totals) : undefined;
    if (rates) this.history = [...this.history, rates].slice(-HISTORY);
    const cameras = camerasOf(stats);
    this.latest = { stats, health, cameras, previousCameras: this.lastCameras, seconds, rates, totals, history: this.history };
    this.lastTotals = totals;
    this.lastCameras = new Map(cameras.map((c) => [c.id, c]));
    this.error = undefined;
    for (const listener of this.listeners) listener(this.latest);
  }
}
