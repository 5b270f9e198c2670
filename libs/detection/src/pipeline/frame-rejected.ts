import type { FrameMessage } from '@sentinel/contracts';
import type { DropReason } from './fog-stats';

/** A frame the fog refuses (bad image, queue full, detector failure); `reason` is the drop label. */
export class FrameRejectedError extends Error {
  constructor(
    readonly reason: DropReason,
    message: string,
  ) {
    super(message);
    this.name = 'FrameRejectedError';
  }
}

/** The error for `message`, its text prefixed with `camera#seq`. */
export function frameRejection(reason: DropReason, message: Pick<FrameMessage, 'cameraId' | 'seq'>, detail: string): FrameRejectedError {
  return new FrameRejectedError(reason, `${message.cameraId}#${message.seq}: ${detail}`);
}

/** Where stages count what they drop (FogStats in the product). */
export interface DropCounter {
  drop(reason: DropReason): void;
}
