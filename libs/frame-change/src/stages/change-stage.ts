import type { ChangeDetectionConfig } from '@sentinel/config';
import { ChangeDetector, ChangeResult, ForwardedReference } from '../detector/change-detector';
import type { PixelFormat } from '@sentinel/contracts';
import type { ReferenceKeeper } from './forward-chain';

/**
 * The detect-change stage of one camera: a ChangeDetector for the current frame size (a new one
 * when the source's size changes, e.g. after a reconnect), fed every frame.
 */
export class ChangeStage implements ReferenceKeeper {
  private detector?: ChangeDetector;

  constructor(private readonly settings: ChangeDetectionConfig) {}

  /** The frame size of the source; keeps the detector (and its reference) when it did not change. */
  resize(width: number, height: number): void {
    if (this.detector?.width === width && this.detector.height === height) return;
    this.detector = new ChangeDetector(width, height, this.settings);
  }

  get ready(): boolean {
    return this.detector !== undefined;
  }

  detect(frame: Uint8Array, pixelFormat: PixelFormat): ChangeResult {
    if (!this.detector) throw new Error('change detection before the frame size is known');
    return this.detector.detect(frame, pixelFormat);
  }

  forwarded(what: ForwardedReference): void {
    this.detector?.forwarded(what);
  }
}
