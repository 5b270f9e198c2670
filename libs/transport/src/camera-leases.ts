import type Redis from 'ioredis';
import type { Counter, Gauge } from 'prom-client';
import { cameraRegistryOf, cameraStreamOf, lastOwnerKeyOf, leaseKeyOf, membersKeyOf, resyncKeyOf } from './camera-streams';
import { AcquisitionKind, RELEASED, acquisitionKind, planLeases, validUntil } from './lease-plan';

export interface LeaseSettings {
  /** A lease not renewed for this long (ms) expires: the bound on how long a dead consumer keeps its cameras. */
  ttlMs: number;
  /** Renewal (and rebalancing) round, ms; well below ttlMs. */
  renewMs: number;
}

/** Compare-and-extend: renews the lease only while it still holds our token. */
const RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";
/** Compare-and-delete: releases the lease only while it still holds our token. */
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then redis.call('set', KEYS[2], ARGV[2]) return redis.call('del', KEYS[1]) else return 0 end";

export interface OwnedCamera {
  camera: string;
  stream: string;
  since: number;
  how: AcquisitionKind;
  /** Local deadline of the lease: past it the camera is no longer read. */
  validUntil: number;
}

export interface LeaseEvent {
  at: number;
  camera: string;
  event: AcquisitionKind | 'released' | 'expired';
  from?: string;
}

export interface LeaseStats {
  token: string;
  ttlMs: number;
  renewMs: number;
  members: number;
  share: number;
  cameras: string[];
  owned: Array<{ camera: string; since: number; how: AcquisitionKind }>;
  counts: Record<AcquisitionKind | 'released' | 'expired', number>;
  events: LeaseEvent[];
  lastError?: string;
}

const MAX_EVENTS = 100;

/**
 * One consumer's leases on a link's per-camera streams. Every `renewMs` it renews what it holds
 * (compare-and-extend), reads who holds the rest, and takes or hands over cameras as `planLeases`
 * says (SET NX PX; compare-and-delete). Redis decides ownership; this class only remembers, per camera,
 * until when its last renewal surely holds (`validUntil`), and stops reading a camera past that even
 * when Redis cannot be reached. Hand-overs go through the reader (`releaseWhenIdle`), which releases
 * a camera only once no entry of it is being handled.
 */
export class CameraLeases {
  private readonly owned = new Map<string, OwnedCamera>();
  private readonly pendingRelease = new Set<string>();
  private freeBefore = new Set<string>();
  private cameras: string[] = [];
  private members = 1;
  private share = 0;
  private readonly counts: LeaseStats['counts'] = { first: 0, handover: 0, takeover: 0, released: 0, expired: 0 };
  private readonly events: LeaseEvent[] = [];
  private timer?: NodeJS.Timeout;
  private ticking?: Promise<void>;
  private lastError?: string;
  private readonly marginMs: number;

  constructor(
    private readonly redis: Redis,
    private readonly base: string,
    readonly token: string,
    private readonly settings: LeaseSettings,
    private readonly hooks: { acquired: (camera: OwnedCamera) => void; problem: (message: string) => void },
    private readonly metrics?: { events: Counter<string>; owned: Gauge<string> },
  ) {
    this.marginMs = Math.max(50, Math.round(settings.ttlMs * 0.1));
  }

  start(): void {
    const round = () => {
      this.ticking = this.tick().catch((error: Error) => this.failed(error));
    };
    round();
    this.timer = setInterval(() => {
      if (!this.ticking) round();
    }, this.settings.renewMs);
  }

  /** Stops renewing and releases every camera (the reader must have stopped handling). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.ticking;
    await Promise.all([...this.owned.keys()].map((camera) => this.release(camera).catch(() => undefined)));
    await this.redis.zrem(membersKeyOf(this.base), this.token).catch(() => undefined);
  }

  /** Cameras this consumer may read now (owned, lease surely valid, not being handed over). */
  readable(now = Date.now()): OwnedCamera[] {
    const cameras: OwnedCamera[] = [];
    for (const owned of this.owned.values()) {
      if (owned.validUntil <= now) {
        this.lose(owned.camera, 'expired');
        continue;
      }
      if (!this.pendingRelease.has(owned.camera)) cameras.push(owned);
    }
    return cameras;
  }

  /** The camera of one of our streams (undefined for a stream we do not hold). */
  cameraOf(stream: string): string | undefined {
    for (const owned of this.owned.values()) if (owned.stream === stream) return owned.camera;
    return undefined;
  }

  isReadable(camera: string, now = Date.now()): boolean {
    const owned = this.owned.get(camera);
    return !!owned && owned.validUntil > now && !this.pendingRelease.has(camera);
  }

  /** Cameras the plan hands over; the reader calls `release` for each once none of its entries is in hand. */
  releasing(): string[] {
    return [...this.pendingRelease];
  }

  async release(camera: string): Promise<void> {
    this.pendingRelease.delete(camera);
    if (!this.owned.has(camera)) return;
    this.owned.delete(camera);
    // Not read here from this instant on (before Redis frees the lease, so before anyone else can take it).
    const at = Date.now();
    await this.redis.eval(RELEASE, 2, leaseKeyOf(this.base, camera), lastOwnerKeyOf(this.base, camera), this.token, RELEASED);
    this.record({ at, camera, event: 'released' });
  }

  stats(): LeaseStats {
    const { ttlMs, renewMs } = this.settings;
    return {
      token: this.token,
      ttlMs,
      renewMs,
      members: this.members,
      share: this.share,
      cameras: this.cameras,
      owned: [...this.owned.values()].map(({ camera, since, how }) => ({ camera, since, how })),
      counts: { ...this.counts },
      events: [...this.events],
      ...(this.lastError ? { lastError: this.lastError } : {}),
    };
  }

  private async tick(): Promise<void> {
    try {
      await this.round();
      this.lastError = undefined;
    } finally {
      this.ticking = undefined;
    }
  }

  private async round(): Promise<void> {
    const { ttlMs } = this.settings;
    const sentAt = Date.now();
    const members = membersKeyOf(this.base);
    const [, , [, alive], [, cameras]] = ((await this.redis
      .multi()
      .zadd(members, sentAt, this.token)
      .zremrangebyscore(members, '-inf', sentAt - ttlMs)
      .zcard(members)
      .smembers(cameraRegistryOf(this.base))
      .exec()) ?? []) as Array<[Error | null, unknown]>;
    this.members = Math.max(1, Number(alive));
    this.cameras = ((cameras as string[]) ?? []).sort();
    await this.renewAll(sentAt);
    const holders = await this.holders();
    const plan = planLeases({ self: this.token, cameras: this.cameras, holders, members: this.members, freeBefore: this.freeBefore });
    this.share = plan.share;
    this.freeBefore = new Set(this.cameras.filter((camera) => !holders.get(camera)));
    for (const camera of plan.release) if (this.owned.has(camera)) this.pendingRelease.add(camera);
    for (const camera of plan.acquire) await this.acquire(camera);
  }

  private async renewAll(sentAt: number): Promise<void> {
    const cameras = [...this.owned.keys()];
    if (cameras.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const camera of cameras) pipeline.eval(RENEW, 1, leaseKeyOf(this.base, camera), this.token, this.settings.ttlMs);
    const replies = (await pipeline.exec()) ?? [];
    cameras.forEach((camera, index) => {
      const [error, renewed] = replies[index] ?? [new Error('no reply')];
      const owned = this.owned.get(camera);
      if (!owned) return;
      if (!error && Number(renewed) === 1) owned.validUntil = validUntil(sentAt, this.settings.ttlMs, this.marginMs);
      else if (!error) this.lose(camera, 'expired'); // someone else holds it now: it expired before we renewed
    });
  }

  private async holders(): Promise<Map<string, string | null>> {
    if (this.cameras.length === 0) return new Map();
    const tokens = await this.redis.mget(...this.cameras.map((camera) => leaseKeyOf(this.base, camera)));
    return new Map(this.cameras.map((camera, index) => [camera, tokens[index] ?? null]));
  }

  private async acquire(camera: string): Promise<void> {
    const sentAt = Date.now();
    const taken = await this.redis.set(leaseKeyOf(this.base, camera), this.token, 'PX', this.settings.ttlMs, 'NX');
    if (taken !== 'OK') return;
    const ownerKey = lastOwnerKeyOf(this.base, camera);
    const stream = cameraStreamOf(this.base, camera);
    // Ask the producer for a whole frame: this consumer has none of the camera's state.
    const [[, lastOwner]] = ((await this.redis.multi().get(ownerKey).set(ownerKey, this.token).set(resyncKeyOf(stream), '1', 'PX', 60_000).exec()) ?? [[null, null]]) as Array<[Error | null, string | null]>;
    const how = acquisitionKind(lastOwner ?? null, this.token);
    const owned: OwnedCamera = { camera, stream, since: Date.now(), how, validUntil: validUntil(sentAt, this.settings.ttlMs, this.marginMs) };
    this.owned.set(camera, owned);
    this.record({ at: owned.since, camera, event: how, ...(how === 'takeover' && lastOwner ? { from: lastOwner } : {}) });
    this.hooks.acquired(owned);
  }

  private lose(camera: string, event: 'expired'): void {
    const owned = this.owned.get(camera);
    if (!owned) return;
    this.owned.delete(camera);
    this.pendingRelease.delete(camera);
    // Not read past its local deadline, which comes before Redis lets the lease go.
    this.record({ at: Math.min(Date.now(), owned.validUntil), camera, event });
    this.hooks.problem(`lease of camera ${camera} expired before it was renewed: no longer read here`);
  }

  private record(event: LeaseEvent): void {
    const kind = event.event;
    this.counts[kind] += 1;
    this.metrics?.events.inc({ event: kind });
    this.metrics?.owned.set(this.owned.size);
    this.events.push(event);
    if (this.events.length > MAX_EVENTS) this.events.shift();
  }

  private failed(error: Error): void {
    this.ticking = undefined;
    const message = `lease round failed: ${error.message}`;
    if (this.lastError === message) return;
    this.lastError = message;
    this.hooks.problem(message);
  }
}
