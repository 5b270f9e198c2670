import { FrameMessage, Patterns, SCHEMA_VERSION } from '@sentinel/contracts';
import type { EmitOutcome, LinkEmitter } from '@sentinel/transport';
import type { ChainLink } from './forward-chain';
import type { Payload } from './frame-encoder';

export interface FrameFacts {
  cameraId: string;
  capturedAt: number;
  width: number;
  height: number;
  changeScore: number;
  /** Files and lavfi: the frame's place on the stream's own timeline. */
  streamTimeMs?: number;
}

/** The frame.changed message of one payload (pure). */
export function frameMessage(facts: FrameFacts, link: ChainLink, payload: Payload): FrameMessage {
  const { cameraId, capturedAt, width, height, changeScore, streamTimeMs } = facts;
  const chained = payload.kind === 'regions' || payload.codec === 'h264';
  const body =
    payload.kind === 'regions'
      ? { kind: 'regions' as const, jpeg: payload.data, regions: payload.regions }
      : payload.codec === 'h264'
        ? { kind: 'frame' as const, codec: 'h264' as const, packet: payload.data, keyframe: payload.keyframe, heartbeat: payload.heartbeat }
        : { kind: 'frame' as const, jpeg: payload.data, heartbeat: payload.heartbeat };
  return Object.assign(new FrameMessage(), {
    v: SCHEMA_VERSION,
    cameraId,
    capturedAt,
    seq: link.seq,
    width,
    height,
    changeScore: Math.min(1, Math.max(0, changeScore)),
    ...(streamTimeMs !== undefined ? { streamTimeMs } : {}),
    ...(chained && link.baseSeq !== undefined ? { baseSeq: link.baseSeq } : {}),
    ...body,
  });
}

export interface Sent {
  payload: Payload;
  outcome: EmitOutcome;
}

/**
 * The emit stage of one camera: messages go onto the link in stream order while their
 * acknowledgements overlap (waiting for each before the next would tie the roof's rate to the
 * link's round trip). Counts the frames being encoded or awaiting the link (`inFlight`).
 */
export class OrderedEmitter {
  private order: Promise<void> = Promise.resolve();
  private pending = 0;

  constructor(
    private readonly links: LinkEmitter,
    private readonly maxInFlight: number,
    private readonly whenFull: 'wait' | 'drop',
  ) {}

  get inFlight(): number {
    return this.pending;
  }

  get full(): boolean {
    return this.pending >= this.maxInFlight;
  }

  /**
   * Emits the message of `payload` (once encoded) after every earlier one was issued. Resolves
   * with the outcome once the link settled it, or undefined when there was nothing to send.
   */
  send(payload: Promise<Payload | undefined>, toMessage: (payload: Payload) => FrameMessage, onReply: (reply: unknown) => void): Promise<Sent | undefined> {
    this.pending++;
    const issued = this.order.then(async () => {
      const ready = await payload;
      if (!ready) return undefined;
      return { payload: ready, outcome: this.links.emit(Patterns.FrameChanged, toMessage(ready), { whenFull: this.whenFull, onReply }) };
    });
    this.order = issued.then(
      () => undefined,
      () => undefined,
    );
    return issued
      .then(async (sent) => (sent ? { payload: sent.payload, outcome: await sent.outcome } : undefined))
      .finally(() => this.pending--);
  }
}
