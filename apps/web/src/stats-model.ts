/** What the page reads from GET /stats and GET /health, and the figures it derives (pure functions). */

export interface Traffic {
  messages: number;
  bytes: number;
}

export interface LinkCell {
  sent: Traffic;
  received: Traffic;
}

export interface LinkStats extends LinkCell {
  byPattern: Record<string, Record<string, LinkCell>>;
}

export interface StageSummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  max: number;
}

export type Component = Record<string, unknown> & { status?: string };

export interface Stats {
  tier: string;
  modules: string[];
  links: Record<string, LinkStats | undefined>;
  stages: Record<string, StageSummary>;
  components: Record<string, Component>;
}

export interface HealthAnswer {
  status: string;
  info?: Record<string, Component>;
  error?: Record<string, Component>;
}

export type CameraState = 'starting' | 'connecting' | 'running' | 'reconnecting' | 'ended' | 'failed' | 'stopped' | 'unknown';

export interface CameraSnapshot {
  id: string;
  state: CameraState;
  width?: number;
  height?: number;
  source?: string;
  policy?: string;
  framesDecoded: number;
  framesChanged: number;
  framesForwarded: number;
  bytesForwarded: number;
  /** Bytes every decoded frame would cost as JPEG, when measured or estimable. */
  rawBytes?: number;
  lastError?: string;
}

export const LINK_ROOF_TO_FOG = 'roofToFog';
export const LINK_FOG_TO_CLOUD = 'fogToCloud';
const ROOF_CAMERA_PREFIX = 'roof.camera.';
const FRAME_PATTERN = 'frame.changed';

const num = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/**
 * Payload bytes that crossed a link, whichever end this process is: per pattern the larger of sent
 * and received (a consumer only receives), acknowledgements left out (they flow back).
 */
export function linkPayloadBytes(link: LinkStats | undefined): number {
  if (!link) return 0;
  let total = 0;
  for (const [pattern, cameras] of Object.entries(link.byPattern)) {
    if (pattern === 'ack') continue;
    for (const cell of Object.values(cameras)) total += Math.max(cell.sent.bytes, cell.received.bytes);
  }
  return total;
}

/**
 * Raw bytes of a camera: every decoded frame as JPEG. Measured when roof.measureRawJpeg is on;
 * otherwise estimated from the forwarded whole frames (all forwarded frames whole: policy frame).
 */
export function rawBytesOf(camera: Component): number | undefined {
  if (num(camera.rawJpegFrames) > 0) return (num(camera.rawJpegBytes) / num(camera.rawJpegFrames)) * num(camera.framesDecoded);
  const forwarded = num(camera.framesForwarded);
  if (forwarded > 0 && num(camera.fullFramesForwarded) === forwarded) return (num(camera.bytesForwarded) / forwarded) * num(camera.framesDecoded);
  return undefined;
}

/** Cameras of this process: the roof's own, and those whose frames reach this fog. */
export function camerasOf(stats: Stats): CameraSnapshot[] {
  const cameras = new Map<string, CameraSnapshot>();
  for (const [name, c] of Object.entries(stats.components)) {
    if (!name.startsWith(ROOF_CAMERA_PREFIX)) continue;
    const id = str(c.id) ?? name.slice(ROOF_CAMERA_PREFIX.length);
    cameras.set(id, {
      id,
      state: (str(c.state) as CameraState | undefined) ?? 'unknown',
      width: num(c.width) || undefined,
      height: num(c.height) || undefined,
      source: str(c.source),
      policy: str(c.policy),
      framesDecoded: num(c.framesDecoded),
      framesChanged: num(c.framesChanged),
      framesForwarded: num(c.framesForwarded),
      bytesForwarded: num(c.bytesForwarded),
      rawBytes: rawBytesOf(c),
      lastError: str(c.lastError),
    });
  }
  const frames = stats.links[LINK_ROOF_TO_FOG]?.byPattern[FRAME_PATTERN] ?? {};
  for (const [id, cell] of Object.entries(frames)) {
    if (cameras.has(id)) continue;
    cameras.set(id, {
      id,
      state: 'unknown',
      framesDecoded: 0,
      framesChanged: 0,
      framesForwarded: cell.received.messages,
      bytesForwarded: cell.received.bytes,
    });
  }
  return [...cameras.values()].sort((a, b) => a.id.localeCompare(b.id));
}

export interface BandwidthTotals {
  /** ms since epoch of the sample. */
  at: number;
  raw?: number;
  roofToFog: number;
  fogToCloud: number;
}

export function bandwidthTotals(stats: Stats, at: number): BandwidthTotals {
  const raws = camerasOf(stats).map((c) => c.rawBytes);
  const known = raws.filter((r): r is number => r !== undefined);
  return {
    at,
    raw: known.length > 0 ? known.reduce((a, b) => a + b, 0) : undefined,
    roofToFog: linkPayloadBytes(stats.links[LINK_ROOF_TO_FOG]),
    fogToCloud: linkPayloadBytes(stats.links[LINK_FOG_TO_CLOUD]),
  };
}

export interface BandwidthRates {
  at: number;
  raw?: number;
  roofToFog: number;
  fogToCloud: number;
}

/** Bytes per second between two samples (never negative: a restarted process resets its counters). */
export function bandwidthRates(previous: BandwidthTotals, current: BandwidthTotals): BandwidthRates {
  const seconds = Math.max(0.001, (current.at - previous.at) / 1000);
  const per = (a: number, b: number) => Math.max(0, b - a) / seconds;
  return {
    at: current.at,
    raw: previous.raw !== undefined && current.raw !== undefined ? per(previous.raw, current.raw) : undefined,
    roofToFog: per(previous.roofToFog, current.roofToFog),
    fogToCloud: per(previous.fogToCloud, current.fogToCloud),
  };
}

/** A share of the raw figure, 0..1, when both are known and raw is not zero. */
export function shareOfRaw(value: number, raw: number | undefined): number | undefined {
  return raw && raw > 0 ? value / raw : undefined;
}

export interface CameraRates {
  fps: number;
  /** Fraction of decoded frames that changed enough to be forwarded, 0..1. */
  changeRate: number;
}

export function cameraRates(previous: CameraSnapshot | undefined, current: CameraSnapshot, seconds: number): CameraRates {
  if (!previous || seconds <= 0) {
    return { fps: 0, changeRate: current.framesDecoded > 0 ? current.framesChanged / current.framesDecoded : 0 };
  }
  const decoded = Math.max(0, current.framesDecoded - previous.framesDecoded);
  const changed = Math.max(0, current.framesChanged - previous.framesChanged);
  return { fps: decoded / seconds, changeRate: decoded > 0 ? changed / decoded : 0 };
}

export type Tier = 'roof' | 'fog' | 'cloud' | 'links';

/** Which tier a health component belongs to, from its name. */
export function tierOf(component: string): Tier {
  if (component.startsWith('roof.') || component === 'frame-change') return 'roof';
  if (component === 'detection' || component.startsWith('fog.')) return 'fog';
  if (component.startsWith('link:')) return 'links';
  return 'cloud';
}

export type Condition = 'up' | 'degraded' | 'down';

export interface TierHealth {
  tier: Tier;
  /** down: a required part is down; degraded: something degraded or an optional part down. */
  condition: Condition;
  up: number;
  /** Names of the components not up, with their reason when they give one. */
  problems: string[];
  components: { name: string; status: string }[];
}

function conditionOf(component: Component): Condition {
  if (component.status === 'up') return 'up';
  if (component.status === 'degraded' || component.optional === true) return 'degraded';
  return 'down';
}

const worse = (a: Condition, b: Condition): Condition => (a === 'down' || b === 'down' ? 'down' : a === 'degraded' || b === 'degraded' ? 'degraded' : 'up');

/** Every component of /health grouped by tier, the worst condition of each and what is wrong. */
export function healthByTier(health: HealthAnswer): TierHealth[] {
  const all = { ...(health.info ?? {}), ...(health.error ?? {}) };
  const tiers = new Map<Tier, TierHealth>();
  for (const [name, component] of Object.entries(all)) {
    const tier = tierOf(name);
    const entry = tiers.get(tier) ?? { tier, condition: 'up' as Condition, up: 0, problems: [], components: [] };
    const condition = conditionOf(component);
    entry.condition = worse(entry.condition, condition);
    if (condition === 'up') entry.up++;
    else entry.problems.push(typeof component.reason === 'string' ? `${name}: ${component.reason}` : name);
    entry.components.push({ name, status: component.status ?? 'unknown' });
    tiers.set(tier, entry);
  }
  const order: Tier[] = ['roof', 'fog', 'cloud', 'links'];
  return order.filter((t) => tiers.has(t)).map((t) => tiers.get(t) as TierHealth);
}
