import { IsString } from 'class-validator';

/** Settings of the notification module. Every property needs class-validator decorators (unknown keys are errors). */
export class NotificationConfig {
  /** SQLite file of the event store and outbox, relative to dataDir unless absolute. */
  @IsString() eventsPath = 'events.sqlite';
}
