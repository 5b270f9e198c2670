import { Controller } from '@nestjs/common';
import { MessagePattern, Payload, RpcException } from '@nestjs/microservices';
import { FrameMessage, Patterns } from '@sentinel/contracts';
import { FogService } from './fog.service';
import { FrameRejectedError } from './pipeline/fog-pipeline';

/** Acknowledgement of one processed frame (small: it travels back to the roof). */
export interface FrameAck {
  seq: number;
  detections: number;
  crops: number;
  /** The fog could not apply these regions to its copy of the frame (restart, missed message): send the next frame whole. */
  resync?: true;
}

/** Handles `frame.changed` from the roof; resolves when the frame is finished (the producer's backpressure). */
@Controller()
export class FrameChangedController {
  constructor(private readonly fog: FogService) {}

  @MessagePattern(Patterns.FrameChanged)
  async onFrameChanged(@Payload() message: FrameMessage): Promise<FrameAck> {
    try {
      const outcome = await this.fog.handle(message);
      const ack: FrameAck = { seq: message.seq, detections: outcome.detections.length, crops: outcome.sentCrops.length };
      if (outcome.needsWholeFrame) ack.resync = true;
      return ack;
    } catch (error) {
      // Already counted as a drop; the producer counts a failure and the process keeps running.
      if (error instanceof FrameRejectedError) throw new RpcException({ reason: error.reason, message: error.message });
      throw error;
    }
  }
}
