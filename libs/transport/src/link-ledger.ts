import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { Counter } from 'prom-client';
import { SENTINEL_CONFIG, SentinelConfig } from '@sentinel/config';
import { MetricsService } from '@sentinel/telemetry';
import { CameraLabels, MAX_SEEN_CAMERAS, OTHER_CAMERA } from './camera-labels';
import { CAMERA_ID_PATTERN, SITE_PATTERN, isKnownPattern } from '@sentinel/contracts';
import type { EmitOutcome } from './link-emitter';

export type Direction = 'sent' | 'received';

/** Pattern label of acknowledgements (replies) travelling back on a link. */
export const ACK_PATTERN = 'ack';
/** Pattern label of anything that is neither a known pattern nor an ack: unbounded names never become labels. */
export const OTHER_PATTERN = 'other';
const NO_CAMERA = '-';

/**
 * What happened to a link besides traffic: a message over links.<link>.maxMessageBytes (not sent, or
 * dropped on arrival), a connection over maxConnections, a Redis subscription the broker dropped (and
 * back), a message whose new camera id was counted under `other` because the label cap was reached.
 */
export type LinkIncident = 'oversized-sent' | 'oversized-received' | 'connection-limit' | 'subscription-lost' | 'reconnected' | 'camera-labels-capped';

export interface TrafficCount {
  messages: number;
  bytes: number;
}

export interface LinkTraffic {
  sent: TrafficCount;
  received: TrafficCount;
  /** Per pattern, then per camera (null-prototype objects: names come from the wire). */
  byPattern: Record<string, Record<string, { sent: TrafficCount; received: TrafficCount }>>;
  malformed: Record<string, number>;
  /** Messages or connections refused by a limit, lost and re-established subscriptions (see LinkIncident). */
  incidents?: Partial<Record<LinkIncident, number>>;
  outcomes: Partial<Record<EmitOutcome, number>>;
  /** Per site the messages came from or went to (messages that carry a `site`; at most 64 sites, then `other`). */
  bySite?: Record<string, { sent: TrafficCount; received: TrafficCount }>;
}

const MAX_SITES = 64;

/**
 * Counts every message and every wire byte on every link, per pattern and camera, in both directions.
 * Bytes are the framed message as the transport carries it (TCP: length prefix + MessagePack; Redis and
 * in-process: the MessagePack body). The bandwidth report reads these counters.
 */
@Injectable()
export class LinkLedger {
  private readonly logger = new Logger('LinkLedger');
  private readonly messagesTotal: Counter<string>;
  private readonly bytesTotal: Counter<string>;
  private readonly malformedTotal: Counter<string>;
  private readonly outcomesTotal: Counter<string>;
  private readonly incidentsTotal: Counter<string>;
  private readonly traffic = new Map<string, LinkTraffic>();
  private readonly loggedMalformed = new Set<string>();

  private readonly cameras: CameraLabels;

  /** `config` (optional for tests): a roof's configured cameras bound the camera labels. */
  constructor(metrics: MetricsService, @Optional() @Inject(SENTINEL_CONFIG) config?: SentinelConfig) {
    this.cameras = CameraLabels.of(config);
    const labels = ['link', 'pattern', 'camera', 'direction'];
    this.messagesTotal = metrics.counter('sentinel_link_messages_total', 'Messages on each tier link', labels);
    this.bytesTotal = metrics.counter('sentinel_link_bytes_total', 'Wire bytes on each tier link', labels);
    this.malformedTotal = metrics.counter('sentinel_link_malformed_total', 'Received messages dropped as malformed', ['link', 'reason']);
    this.incidentsTotal = metrics.counter(
      'sentinel_link_incidents_total',
      'Messages or connections refused by a link limit, and lost or re-established subscriptions',
      ['link', 'kind'],
    );
    this.outcomesTotal = metrics.counter('sentinel_link_emit_outcomes_total', 'Outcome of each emit by producers', ['link', 'pattern', 'outcome']);
  }

  record(link: string, direction: Direction, pattern: string, cameraId: string | undefined, bytes: number, site?: string): void {
    const camera = cameraId === undefined ? NO_CAMERA : this.cameraLabel(link, cameraId);
    this.messagesTotal.inc({ link, pattern, camera, direction });
    this.bytesTotal.inc({ link, pattern, camera, direction }, bytes);
    const traffic = this.trafficOf(link);
    traffic[direction].messages += 1;
    traffic[direction].bytes += bytes;
    const byCamera = (traffic.byPattern[pattern] ??= Object.create(null) as LinkTraffic['byPattern'][string]);
    const cell = (byCamera[camera] ??= { sent: { messages: 0, bytes: 0 }, received: { messages: 0, bytes: 0 } });
    cell[direction].messages += 1;
    cell[direction].bytes += bytes;
    if (site === undefined) return;
    const sites = (traffic.bySite ??= Object.create(null) as NonNullable<LinkTraffic['bySite']>);
    const name = site in sites || Object.keys(sites).length < MAX_SITES ? site : OTHER_CAMERA;
    const count = (sites[name] ??= { sent: { messages: 0, bytes: 0 }, received: { messages: 0, bytes: 0 } });
    count[direction].messages += 1;
    count[direction].bytes += bytes;
  }

  private cameraLabel(link: string, cameraId: string): string {
    const { label, capped } = this.cameras.label(cameraId);
    if (capped) this.incident(link, 'camera-labels-capped', `more than ${MAX_SEEN_CAMERAS} distinct camera ids: new ones are counted under camera="${OTHER_CAMERA}"`);
    return label;
  }

  /** A received message that could not be decoded or failed its contract: counted, logged once per kind. */
  malformed(link: string, reason: string, detail: string): void {
    this.malformedTotal.inc({ link, reason });
    const traffic = this.trafficOf(link);
    traffic.malformed[reason] = (traffic.malformed[reason] ?? 0) + 1;
    const key = `${link}/${reason}`;
    if (!this.loggedMalformed.has(key)) {
      this.loggedMalformed.add(key);
      this.logger.warn(`dropped a malformed message on link ${link} (${reason}): ${detail} (further ones are only counted)`);
    }
  }

  /** A limit hit, a subscription lost or re-established: counted, logged once per kind. */
  incident(link: string, kind: LinkIncident, detail: string): void {
    this.incidentsTotal.inc({ link, kind });
    const traffic = this.trafficOf(link);
    const incidents = (traffic.incidents ??= Object.create(null) as Partial<Record<LinkIncident, number>>);
    incidents[kind] = (incidents[kind] ?? 0) + 1;
    const key = `${link}/incident/${kind}`;
    if (!this.loggedMalformed.has(key)) {
      this.loggedMalformed.add(key);
      this.logger.warn(`link ${link}: ${detail} (further ones are only counted: sentinel_link_incidents_total{kind="${kind}"})`);
    }
  }

  outcome(link: string, pattern: string, outcome: EmitOutcome): void {
    this.outcomesTotal.inc({ link, pattern, outcome });
    const outcomes = this.trafficOf(link).outcomes;
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
  }

  /** A deep copy of all counters, for reports and tests. */
  snapshot(): Record<string, LinkTraffic> {
    return JSON.parse(JSON.stringify(Object.fromEntries(this.traffic))) as Record<string, LinkTraffic>;
  }

  private trafficOf(link: string): LinkTraffic {
    let traffic = this.traffic.get(link);
    if (!traffic) {
      traffic = {
        sent: { messages: 0, bytes: 0 },
        received: { messages: 0, bytes: 0 },
        byPattern: Object.create(null) as LinkTraffic['byPattern'],
        malformed: Object.create(null) as LinkTraffic['malformed'],
        incidents: Object.create(null) as LinkTraffic['incidents'],
        outcomes: Object.create(null) as LinkTraffic['outcomes'],
      };
      this.traffic.set(link, traffic);
    }
    return traffic;
  }
}

/** Labels of a packet for the ledger: requests carry pattern and camera, replies are acks. */
export function packetLabels(packet: unknown): { pattern: string; cameraId?: string; site?: string } {
  if (packet && typeof packet === 'object') {
    const { pattern, data } = packet as { pattern?: unknown; data?: unknown };
    if (typeof pattern === 'string') {
      if (!isKnownPattern(pattern)) return { pattern: OTHER_PATTERN };
      const cameraId = data && typeof data === 'object' ? (data as { cameraId?: unknown }).cameraId : undefined;
      // Unvalidated input: a garbage camera id must not become a metric label.
      const safeCamera = typeof cameraId === 'string' && CAMERA_ID_PATTERN.test(cameraId) ? cameraId : undefined;
      const site = data && typeof data === 'object' ? (data as { site?: unknown }).site : undefined;
      return { pattern, cameraId: safeCamera, ...(typeof site === 'string' && SITE_PATTERN.test(site) ? { site } : {}) };
    }
  }
  return { pattern: ACK_PATTERN };
}
