/** The paper's unit: 1 KB = 1000 bytes (it spoke of 50 KB frames and 8 KB crops). */
export const KB = 1000;

/**
 * The paper's bandwidth model. x: frames captured per second; y: changed frames per second sent to
 * the fog; F: bytes of one frame (JPEG); C: bytes of one crop sent to the cloud; n: persons per frame.
 */
export interface FormulaParameters {
  x: number;
  y: number;
  frameBytes: number;
  cropBytes: number;
  persons: number;
}

/** Bytes per second on each hop. */
export interface BandwidthRates {
  raw: number;
  roofToFog: number;
  fogToCloud: number;
}

/** The parameters the paper assumed: 10 fps, 5 changed fps, 50 KB frames, 8 KB crops, 2 persons. */
export const PAPER_PARAMETERS: Readonly<FormulaParameters> = Object.freeze({ x: 10, y: 5, frameBytes: 50 * KB, cropBytes: 8 * KB, persons: 2 });

/** raw = x·F, roof→fog = y·F, fog→cloud = y·n·C (bytes per second). */
export function formulaRates(p: FormulaParameters): BandwidthRates {
  return { raw: p.x * p.frameBytes, roofToFog: p.y * p.frameBytes, fogToCloud: p.y * p.persons * p.cropBytes };
}

/** Each hop as a fraction of raw (NaN when raw is 0). */
export function shareOfRaw(rates: BandwidthRates): { roofToFog: number; fogToCloud: number } {
  return { roofToFog: rates.roofToFog / rates.raw, fogToCloud: rates.fogToCloud / rates.raw };
}

/** What one run measured, as plain totals. */
export interface MeasuredTotals {
  /** Frames decoded by the roof, and the video's duration in seconds (frames / fps). */
  frames: number;
  videoSeconds: number;
  /** Frame messages the roof delivered to the fog (whole frames or region sets). */
  forwardedMessages: number;
  /** JPEG bytes of every decoded frame encoded whole at the roof's quality, and how many frames that was. */
  rawJpegBytes: number;
  rawJpegFrames: number;
  /** face.crop messages and their wire bytes. */
  cropMessages: number;
  cropWireBytes: number;
  /** Person detections over the frames the fog processed. */
  personDetections: number;
  processedFrames: number;
}

const ratio = (a: number, b: number): number => (b > 0 ? a / b : 0);

/**
 * The formula's parameters as measured: x = frames per video second, y = forwarded frame messages per
 * video second, F = mean whole-frame JPEG size, C = mean crop message size on the wire, n = mean
 * person detections per processed frame.
 */
export function measuredParameters(m: MeasuredTotals): FormulaParameters {
  return {
    x: ratio(m.frames, m.videoSeconds),
    y: ratio(m.forwardedMessages, m.videoSeconds),
    frameBytes: ratio(m.rawJpegBytes, m.rawJpegFrames),
    cropBytes: ratio(m.cropWireBytes, m.cropMessages),
    persons: ratio(m.personDetections, m.processedFrames),
  };
}

/** Totals in bytes over a run divided by its video duration: bytes per second of video. */
export function ratesPerVideoSecond(totals: BandwidthRates, videoSeconds: number): BandwidthRates {
  return { raw: ratio(totals.raw, videoSeconds), roofToFog: ratio(totals.roofToFog, videoSeconds), fogToCloud: ratio(totals.fogToCloud, videoSeconds) };
}
