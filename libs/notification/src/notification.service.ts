import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { SENTINEL_CONFIG, SentinelConfig, type NotificationChannelName, type NotificationConfig } from '@sentinel/config';
import { AlertKinds, type AlertMessage, type DetectionsMessage, type IdentityMessage } from '@sentinel/contracts';
import { HealthRegistry, LastWrite, StageTimer, watchWritable } from '@sentinel/telemetry';
import type { DeliveryTarget } from './channels/delivery-target';
import { MqttTarget } from './channels/mqtt.target';
import { WebhookTarget } from './channels/webhook.target';
import { BoundedLabels } from './bounded-label';
import { CooldownTracker } from './cooldown-tracker';
import { EventStore, NewOutboxRow, OutboxRow } from './event-store';
import { toNotificationPayload } from './notification-payload';
import { NotificationStats } from './notification-stats';
import { OutboxPump } from './outbox-pump';
import { channelsForKind } from './routing';

export type AlertOutcome = 'notified' | 'suppressed' | 'duplicate';

/** The acknowledgement of an alert: it is stored and its deliveries are queued (not yet delivered). */
export interface AlertAck {
  id: string;
  outcome: AlertOutcome;
  /** Channels the alert was queued (webhook, mqtt) or written (log) to. */
  channels: NotificationChannelName[];
}

/** Path of the events database: `eventsPath` relative to `dataDir` unless absolute. */
export function eventsDatabasePath(config: SentinelConfig): string {
  return resolve(config.dataDir, config.notification.eventsPath);
}

/**
 * Accepts alerts (cooldown, event store, outbox), records identity sightings, counts detections,
 * and runs one outbox pump per delivery target.
 */
@Injectable()
export class NotificationService implements OnModuleInit, OnModuleDestroy, BeforeApplicationShutdown {
  private readonly logger = new Logger('Notification');
  private readonly alertLog = new Logger('Alert');
  private readonly settings: NotificationConfig;
  private readonly cooldown: CooldownTracker;
  private readonly targets: DeliveryTarget[] = [];
  private readonly pumps = new Map<string, OutboxPump>();
  private readonly enabledChannels = new Set<NotificationChannelName>();
  private retentionTimer?: NodeJS.Timeout;
  private closed = false;
  private readonly lastStoreWrite = new LastWrite();
  private readonly kindLabels = new BoundedLabels(64);
  private readonly detectionLabels = new BoundedLabels(200);

  constructor(
    @Inject(SENTINEL_CONFIG) config: SentinelConfig,
    readonly store: EventStore,
    private readonly stats: NotificationStats,
    private readonly stageTimer: StageTimer,
    private readonly health: HealthRegistry,
  ) {
    this.settings = config.notification;
    this.cooldown = new CooldownTracker(this.settings.cooldownMs, this.settings.cooldownExemptKinds);
  }

  async onModuleInit(): Promise<void> {
    const s = this.settings;
    if (s.log.enabled) this.enabledChannels.add('log');
    if (s.webhook.enabled) {
      this.enabledChannels.add('webhook');
      for (const url of s.webhook.urls) this.targets.push(new WebhookTarget(url, s.webhook));
    }
    if (s.mqtt.enabled) {
      this.enabledChannels.add('mqtt');
      this.targets.push(new MqttTarget(s.mqtt));
    }
    for (const rule of s.routes) {
      // Disabled channels in a rule are skipped; a rule left with none sends its kinds nowhere: say so.
      if (rule.channels.length && !rule.channels.some((c) => this.enabledChannels.has(c))) {
        this.logger.warn(`alerts of kind ${rule.kinds.join(', ')} go nowhere: channel(s) ${rule.channels.join(', ')} disabled`);
      }
    }
    this.rebuildCooldown();
    this.applyRetention();
    this.retentionTimer = setInterval(() => this.applyRetention(), s.retention.intervalMs);
    this.retentionTimer.unref();

    const listener = {
      delivered: (target: DeliveryTarget, _row: OutboxRow, ms: number) => {
        this.stats.delivered(target.channel);
        this.stageTimer.record(`notification.deliver.${target.channel}`, ms);
      },
      failed: (target: DeliveryTarget) => {
        this.stats.deliveryFailed(target.channel);
      },
      deadLettered: (target: DeliveryTarget) => {
        this.stats.deadLettered(target.channel);
      },
      changed: () => this.updateOutboxDepth(),
    };
    for (const target of this.targets) {
      await target.start?.();
      this.pumps.set(target.name, new OutboxPump(target, this.store, { ...s.retry, idlePollMs: Math.min(30_000, s.retry.maxDelayMs) }, listener));
    }
    this.registerHealth();
    this.updateOutboxDepth();
    // Deliver what a previous run accepted but did not deliver.
    for (const pump of this.pumps.values()) pump.kick();
    const pending = [...this.store.outboxDepthByTarget().values()].reduce((a, b) => a + b, 0);
    this.logger.log(
      `events in ${this.store.file}; channels: ${[...this.enabledChannels].join(', ') || 'none'}; ` +
        `cooldown ${s.cooldownMs} ms; ${pending} deliveries pending from before`,
    );
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.retentionTimer);
    // Take no new rows, abort what is in flight (it stays queued), wait for the outcomes.
    const drained = [...this.pumps.values()].map((p) => p.stop());
    await Promise.all(this.targets.map((t) => t.stop?.()));
    await Promise.all(drained);
  }

  /**
   * The store closes after every module's onModuleDestroy: in one process the roof and the fog stop
   * there, and what they emit while stopping (their last alerts) is still stored; it stays queued for
   * delivery by the next run. Nest runs onModuleDestroy in module order, not pipeline order.
   */
  beforeApplicationShutdown(): void {
    this.closed = true;
    this.store.close();
  }

  /** Stores the alert and queues its notifications; resolves once both are durable, not when delivered. */
  acceptAlert(alert: AlertMessage): AlertAck {
    const start = performance.now();
    const receivedAt = Date.now();
    this.stats.alertReceived(this.kindLabels.of(alert.kind));
    const decision = this.cooldown.decide(alert);
    const routed = decision.notify ? channelsForKind(this.settings.routes, alert.kind).filter((c) => this.enabledChannels.has(c)) : [];
    const body = JSON.stringify(toNotificationPayload(alert, this.settings.publicBaseUrl));
    const deliveries: NewOutboxRow[] = this.targets
      .filter((t) => routed.includes(t.channel))
      .map((t) => ({ alertId: alert.id, target: t.name, channel: t.channel, cameraId: alert.cameraId, body }));
    const stored = this.storeWrite(() => this.store.accept(
      {
        id: alert.id,
        kind: alert.kind,
        cameraId: alert.cameraId,
        priority: 'alert',
        at: alert.at,
        capturedAt: alert.capturedAt,
        receivedAt,
        subject: alert.subject,
        label: alert.label,
        trackId: alert.trackId,
        score: alert.score,
        boxes: alert.boxes,
        message: alert.message,
        details: alert.site ? { ...alert.details, site: alert.site } : alert.details,
        snapshot: alert.snapshot,
        notified: decision.notify,
        groupId: decision.groupId,
      },
      deliveries,
    ));
    if (!stored) {
      this.stats.alertDuplicate();
      return { id: alert.id, outcome: 'duplicate', channels: [] };
    }
    this.cooldown.apply(decision);
    this.recordEndToEnd(alert, receivedAt);
    if (!decision.notify) {
      this.stats.alertSuppressed(this.kindLabels.of(alert.kind));
      this.stageTimer.record('notification.accept', performance.now() - start);
      return { id: alert.id, outcome: 'suppressed', channels: [] };
    }
    this.stats.alertNotified();
    if (routed.includes('log')) {
      this.alertLog.log(body);
      this.stats.delivered('log');
    }
    for (const delivery of deliveries) this.pumps.get(delivery.target)?.kick();
    this.updateOutboxDepth();
    this.stageTimer.record('notification.accept', performance.now() - start);
    return { id: alert.id, outcome: 'notified', channels: routed };
  }

  /**
   * `end-to-end`: from the frame's capture (the roof's `capturedAt`) to this alert's acceptance, for
   * alerts raised from frames. Camera state alerts are stamped when raised, so they are left out.
   */
  private recordEndToEnd(alert: AlertMessage, acceptedAt: number): void {
    if (alert.kind === AlertKinds.CameraDown || alert.kind === AlertKinds.CameraUp) return;
    this.stageTimer.record('end-to-end', Math.max(0, acceptedAt - alert.capturedAt));
  }

  /**
   * Identity messages are not alerts: they are counted, and (with `identityEvents`) the first
   * sighting of an identity on a camera per cooldown window is stored as a low-priority `identity`
   * event, never sent to a channel. Intruder alerts come as AlertMessages from the cloud.
   */
  acceptIdentity(message: IdentityMessage): { recorded: boolean; eventId?: string } {
    this.stats.identity(message.known);
    if (!this.settings.identityEvents) return { recorded: false };
    const id = `identity-${randomUUID()}`;
    const decision = this.cooldown.decide({ id, cameraId: message.cameraId, kind: 'identity', subject: message.identityId, at: message.capturedAt });
    if (!decision.notify) return { recorded: false };
    this.storeWrite(() => this.store.accept(
      {
        id,
        kind: 'identity',
        cameraId: message.cameraId,
        priority: 'low',
        at: message.capturedAt,
        capturedAt: message.capturedAt,
        receivedAt: Date.now(),
        subject: message.identityId,
        label: message.name,
        trackId: message.trackId,
        score: message.similarity,
        details: message.site ? { known: message.known, site: message.site } : { known: message.known },
        notified: false,
        groupId: id,
      },
      [],
    ));
    this.cooldown.apply(decision);
    this.stats.identityEventRecorded();
    return { recorded: true, eventId: id };
  }

  /** Detections are counted only (dashboards may read the metrics); they never raise alerts here. */
  acceptDetections(message: DetectionsMessage): { count: number } {
    this.stats.detectionsReceived(message.detections.map((detection) => this.detectionLabels.of(detection.label)));
    return { count: message.detections.length };
  }

  countInvalid(pattern: string): void {
    this.stats.messageInvalid(pattern);
  }

  /** Names of the delivery targets (outbox queues) this process drains. */
  targetNames(): string[] {
    return this.targets.map((t) => t.name);
  }

  /** Dead letter back into the outbox. */
  requeue(seq: number): boolean {
    const row = this.store.requeueDeadLetter(seq, Date.now());
    if (!row) return false;
    this.pumps.get(row.target)?.kick();
    this.updateOutboxDepth();
    return true;
  }

  private rebuildCooldown(): void {
    if (this.settings.cooldownMs <= 0) return;
    const since = Date.now() - this.settings.cooldownMs;
    for (const event of this.store.notifiedSince(since)) {
      this.cooldown.apply(this.cooldown.decide(event));
    }
  }

  private applyRetention(): void {
    try {
      const r = this.settings.retention;
      const removed = this.store.applyRetention(Date.now(), r.maxAgeMs, r.maxEvents);
      this.cooldown.prune(Date.now());
      if (removed.events || removed.deadLetters) this.logger.log(`retention removed ${removed.events} events, ${removed.deadLetters} dead letters`);
    } catch (error) {
      this.logger.error(`retention failed: ${(error as Error).message}`);
    }
  }

  private updateOutboxDepth(): void {
    try {
      const depth = this.store.outboxDepthByTarget();
      const byChannel: Record<string, number> = { webhook: 0, mqtt: 0 };
      for (const target of this.targets) byChannel[target.channel] += depth.get(target.name) ?? 0;
      this.stats.outboxDepth(byChannel);
    } catch {
      // Closed during shutdown: the gauge keeps its last value.
    }
  }

  /** Runs a write of the event store, remembering whether it worked (the store's health). */
  private storeWrite<T>(write: () => T): T {
    if (this.closed) throw new Error('the event store is closed: this process is stopping (the sender keeps the message and retries)');
    try {
      const result = write();
      this.lastStoreWrite.ok();
      return result;
    } catch (error) {
      this.lastStoreWrite.failed(error);
      throw error;
    }
  }

  private registerHealth(): void {
    this.health.register('notification.store', () => {
      const details = { file: this.store.file, lastWriteAt: this.lastStoreWrite.lastAt };
      if (!this.store.open) return { status: 'down', ...details, reason: 'database closed' };
      if (this.lastStoreWrite.lastError) return { status: 'down', ...details, reason: `last write failed: ${this.lastStoreWrite.lastError}` };
      return { status: 'up', ...details, deadLetters: this.store.deadLetterCount() };
    });
    if (this.enabledChannels.has('log')) this.health.register('notification.log', watchWritable(process.stdout), { required: false });
    const byChannel = (channel: NotificationChannelName) => [...this.pumps.values()].filter((p) => p.target.channel === channel);
    if (this.enabledChannels.has('webhook')) {
      this.health.register('notification.webhook', () => {
        const depth = this.store.outboxDepthByTarget();
        const pumps = byChannel('webhook');
        const targets = pumps.map((p) => ({ ...p.target.health(), ...p.health(), pending: depth.get(p.target.name) ?? 0 }));
        const failing = pumps.filter((p) => p.health().failing).map((p) => `${String(p.target.health().url ?? p.target.channel)} (${p.health().lastError ?? 'failing'})`);
        return failing.length ? { status: 'down', reason: `failing: ${failing.join(', ')}`, targets } : { status: 'up', targets };
      }, { required: false });
    }
    if (this.enabledChannels.has('mqtt')) {
      this.health.register('notification.mqtt', () => {
        const [pump] = byChannel('mqtt');
        const target = pump.target.health();
        const details = { ...target, ...pump.health(), pending: this.store.outboxDepthByTarget().get(pump.target.name) ?? 0 };
        return target.connected ? { status: 'up', ...details } : { status: 'down', reason: 'broker not connected', ...details };
      }, { required: false });
    }
  }
}

