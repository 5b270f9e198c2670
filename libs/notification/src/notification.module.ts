import { Module } from '@nestjs/common';
import { SENTINEL_CONFIG, SentinelConfig } from '@sentinel/config';
import { EventStore } from './event-store';
import { EventsController } from './http/events.controller';
import { NotificationsController } from './http/notifications.controller';
import { NotificationLinkController } from './notification-link.controller';
import { NotificationStats } from './notification-stats';
import { NotificationService, eventsDatabasePath } from './notification.service';

/**
 * Notification service: link handlers for `alert`, `identity` and `detections`; event store and
 * outbox in SQLite; webhook, MQTT and log channels; REST `/events` and `/notifications`.
 * Needs SENTINEL_CONFIG and the telemetry services (global).
 */
@Module({
  controllers: [NotificationLinkController, EventsController, NotificationsController],
  providers: [
    { provide: EventStore, useFactory: (config: SentinelConfig) => new EventStore(eventsDatabasePath(config)), inject: [SENTINEL_CONFIG] },
    NotificationStats,
    NotificationService,
  ],
  exports: [NotificationStats, NotificationService],
})
export class NotificationModule {}
