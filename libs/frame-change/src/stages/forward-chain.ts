import type { ForwardDecision } from '../pipeline/forward-plan';
import type { ForwardedReference } from '../detector/change-detector';

/** What the chain gives a frame message: its seq, and the message it builds on. */
export interface ChainLink {
  seq: number;
  /** The previous message issued, when there was one (regions paste onto it; video packets decode after it). */
  baseSeq?: number;
}

/** The change detector's side of the chain: told what the fog's copy of the frame now holds. */
export interface ReferenceKeeper {
  forwarded(what: ForwardedReference): void;
}

/**
 * The bookkeeping of one camera's message chain, in one place. Each frame gets the next `seq` (the
 * frame index in the camera's stream, continuing across reconnects). Messages that build on earlier
 * ones (regions pasted into the fog's copy of the frame, video packets decoded after the previous
 * ones) name the message before them (`baseSeq`). A message that never updated the fog (encode
 * error, dropped or failed on the link, or answered `resync: true`) breaks the chain: `resyncDue`
 * is then true until a message that stands alone (a whole JPEG frame, a video keyframe) is issued.
 * The change detector's forwarded reference is told what each frame sent.
 */
export class ForwardChain {
  private nextSeq = 0;
  private lastIssuedSeq = -1;
  /** The last message that starts a chain afresh (a whole frame or a keyframe). */
  private lastStartSeq = -1;
  private lastLostSeq = -1;

  constructor(private readonly reference: ReferenceKeeper) {}

  /** The seq of the next frame of the stream. */
  next(): number {
    return this.nextSeq++;
  }

  /** True when the fog's copy is out of step: the next message must stand alone. */
  get resyncDue(): boolean {
    return this.lastLostSeq >= 0 && this.lastLostSeq >= this.lastStartSeq;
  }

  /** A frame the plan sends nothing of, or that was skipped (busy): the fog's copy is unchanged. */
  skipped(): void {
    this.reference.forwarded([]);
  }

  /**
   * A message is issued for frame `seq` (in stream order). `standsAlone`: it needs no earlier message
   * (a whole JPEG frame, a video keyframe).
   */
  issue(seq: number, decision: Exclude<ForwardDecision, { send: 'none' }>, standsAlone: boolean): ChainLink {
    this.reference.forwarded(decision.send === 'frame' ? 'frame' : decision.regions);
    if (standsAlone) this.lastStartSeq = seq;
    const baseSeq = this.lastIssuedSeq;
    this.lastIssuedSeq = seq;
    return baseSeq >= 0 ? { seq, baseSeq } : { seq };
  }

  /** The message of `seq` did not update the fog's copy. */
  lost(seq: number): void {
    this.lastLostSeq = Math.max(this.lastLostSeq, seq);
  }

  /** The fog's reply to the message of `seq`: `resync: true` means its copy is out of step. */
  replied(seq: number, reply: unknown): void {
    if ((reply as { resync?: unknown } | undefined)?.resync === true) this.lost(seq);
  }
}
