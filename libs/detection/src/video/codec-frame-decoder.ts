import type { FrameMessage } from '@sentinel/contracts';
import type { DecodedMessage, FrameDecoder, OutOfStep } from '../pipeline/stages/decode';

/** The decode stage chosen by the message's `codec`: H.264 packets through the video decoder, everything else as JPEG (the default). */
export class CodecFrameDecoder implements FrameDecoder {
  constructor(
    private readonly jpeg: FrameDecoder,
    private readonly h264: FrameDecoder,
  ) {}

  decode(message: FrameMessage): Promise<DecodedMessage | OutOfStep> {
    return message.codec === 'h264' ? this.h264.decode(message) : this.jpeg.decode(message);
  }
}
