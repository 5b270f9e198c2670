import { Controller, Logger } from '@nestjs/common';
import { MessagePattern, Payload, RpcException } from '@nestjs/microservices';
import { AlertMessage, DetectionsMessage, IdentityMessage, Patterns, validateContract } from '@sentinel/contracts';
import { AlertAck, NotificationService } from './notification.service';

type Contract<T> = new (...args: never[]) => T;

/**
 * Link handlers. Each resolves when the message is processed: for alerts, when the alert is stored
 * and its deliveries queued durably (not when they are delivered).
 */
@Controller()
export class NotificationLinkController {
  private readonly logger = new Logger('NotificationLink');

  constructor(private readonly notifications: NotificationService) {}

  @MessagePattern(Patterns.Alert)
  async handleAlert(@Payload() message: AlertMessage): Promise<AlertAck> {
    return this.notifications.acceptAlert(this.checked(Patterns.Alert, AlertMessage, message));
  }

  @MessagePattern(Patterns.Identity)
  async handleIdentity(@Payload() message: IdentityMessage): Promise<{ recorded: boolean; eventId?: string }> {
    return this.notifications.acceptIdentity(this.checked(Patterns.Identity, IdentityMessage, message));
  }

  @MessagePattern(Patterns.Detections)
  async handleDetections(@Payload() message: DetectionsMessage): Promise<{ count: number }> {
    return this.notifications.acceptDetections(this.checked(Patterns.Detections, DetectionsMessage, message));
  }

  /**
   * The link layer validates messages before they get here; a transport that hands over plain
   * objects (e.g. Nest's JSON TCP) is validated here the same way. Malformed ones are counted and
   * refused with the reasons (the producer counts a failure), never processed.
   */
  private checked<T extends object>(pattern: string, contract: Contract<T>, message: unknown): T {
    if (message instanceof contract) return message;
    const result = validateContract<T>(pattern, message);
    if (result.ok) return result.value;
    this.notifications.countInvalid(pattern);
    this.logger.warn(`dropped malformed ${pattern} message: ${result.errors.slice(0, 5).join('; ')}`);
    throw new RpcException({ error: 'invalid message', pattern, problems: result.errors });
  }
}
