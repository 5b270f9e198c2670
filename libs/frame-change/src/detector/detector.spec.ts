import { execFileSync } from 'node:child_process';
import { ChangeDetectionConfig } from '@sentinel/config';
import { frameBytes } from '@sentinel/contracts';
import { findBlobs } from './blobs';
import { boxBlur } from './blur';
import { ChangeDetector } from './change-detector';
import { DIFF_BINS, medianDifference, thresholdDifference, updateBackground } from './diff';
import { downscaledSize, lumaToGrayDownscaled, rgbToGrayDownscaled } from './gray';
import { resolveFfmpegPath } from '../ffmpeg/ffmpeg-path';
import { dilate } from './morphology';
import { blobToRect, mergeRects, padRect } from './rects';

/** rgb24 frame filled by a per-pixel grey function. */
function frame(width: number, height: number, grey: (x: number, y: number) => number): Buffer {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = Math.max(0, Math.min(255, Math.round(grey(x, y))));
      data.fill(v, (y * width + x) * 3, (y * width + x) * 3 + 3);
    }
  }
  return data;
}

/** Deterministic pseudo-random numbers in [0, 1). */
function rng(seed: number): () => number {
  return () => ((seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff) / 0x80000000);
}

const texture = (x: number, y: number): number => 100 + 40 * Math.sin(x / 9) * Math.cos(y / 13);

function settings(overrides: Partial<ChangeDetectionConfig> = {}): ChangeDetectionConfig {
  return Object.assign(new ChangeDetectionConfig(), overrides);
}

describe('grey downscale', () => {
  it('averages factor x factor blocks of (R + 2G + B) / 4', () => {
    const rgb = new Uint8Array(4 * 2 * 3);
    // 4x2 frame, factor 2: left block pixels grey 10, 20, 30, 40 -> 25; right block R=100,G=0,B=0 -> 25.
    const greys = [10, 20, 0, 0, 30, 40, 0, 0];
    greys.forEach((g, i) => rgb.fill(g, i * 3, i * 3 + 3));
    for (const i of [2, 3, 6, 7]) rgb[i * 3] = 100;
    const out = new Uint8Array(2);
    rgbToGrayDownscaled(rgb, 4, 2, 2, out, new Uint32Array(2));
    expect(Array.from(out)).toEqual([25, 25]);
    expect(downscaledSize(770, 577, 4)).toEqual({ width: 192, height: 144 });
  });

  it.each([
    ['word-aligned rows (SWAR path)', 24, 0],
    ['odd width (byte path)', 26, 0],
    ['unaligned buffer (byte path)', 24, 1],
  ])('gives the exact block means on the factor-4 fast path: %s', (_name, width, byteOffset) => {
    const height = 8;
    const backing = new Uint8Array(width * height * 3 + 4);
    const rgb = backing.subarray(byteOffset, byteOffset + width * height * 3);
    rgb.forEach((_, i) => (rgb[i] = (i * 37 + 11) % 256));
    const ow = width >> 2;
    const quarter = new Uint8Array(ow * 2);
    rgbToGrayDownscaled(rgb, width, height, 4, quarter, new Uint32Array(ow));
    const expected = new Uint8Array(ow * 2);
    for (let oy = 0; oy < 2; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        let sum = 0;
        for (let y = oy * 4; y < oy * 4 + 4; y++) for (let x = ox * 4; x < ox * 4 + 4; x++) sum += rgb[(y * width + x) * 3] + 2 * rgb[(y * width + x) * 3 + 1] + rgb[(y * width + x) * 3 + 2];
        expected[oy * ow + ox] = Math.round(sum / 64);
      }
    }
    expect(Array.from(quarter)).toEqual(Array.from(expected));
  });
});

describe('box blur', () => {
  it('spreads a single bright pixel evenly over its 3x3 window', () => {
    const src = new Uint8Array(25);
    src[12] = 90;
    const out = new Uint8Array(25);
    boxBlur(src, 5, 5, 1, new Uint8Array(25), out);
    expect(out[12]).toBe(10);
    expect(out[6]).toBe(10);
    expect(out[0]).toBe(0);
  });
});

describe('difference and threshold', () => {
  it('finds the median global offset and thresholds around it', () => {
    const cur = Uint8Array.from([15, 15, 15, 15, 60]);
    const ref = Uint8Array.from([10, 10, 10, 10, 10]);
    const histogram = new Int32Array(DIFF_BINS);
    expect(medianDifference(cur, ref, 5, histogram)).toBe(5);
    const mask = new Uint8Array(5);
    expect(thresholdDifference(cur, ref, 5, 5, 12, mask)).toBe(1);
    expect(Array.from(mask)).toEqual([0, 0, 0, 0, 1]);
    expect(thresholdDifference(cur, ref, 5, 0, 4, mask)).toBe(5);
  });

  it('moves the background a fraction alpha toward the frame', () => {
    const background = Float32Array.from([100, 0]);
    updateBackground(background, Uint8Array.from([200, 100]), 2, 0.25);
    expect(Array.from(background)).toEqual([125, 25]);
  });
});

describe('dilate and blobs', () => {
  it('dilation joins two fragments into one blob whose area counts only raw pixels', () => {
    const w = 10, h = 5;
    const raw = new Uint8Array(w * h);
    raw[2 * w + 2] = 1;
    raw[2 * w + 4] = 1;
    raw[0 * w + 9] = 1;
    const grouped = new Uint8Array(w * h);
    dilate(raw, w, h, 1, new Uint8Array(w * h), grouped);
    expect(grouped[1 * w + 1]).toBe(1);
    expect(grouped[0 * w + 0]).toBe(0);
    const blobs = findBlobs(grouped, raw, w, h, 1, new Uint8Array(w * h), new Int32Array(w * h));
    expect(blobs).toEqual([
      { x0: 8, y0: 0, x1: 9, y1: 1, area: 1 },
      { x0: 1, y0: 1, x1: 5, y1: 3, area: 2 },
    ]);
    expect(findBlobs(grouped, raw, w, h, 2, new Uint8Array(w * h), new Int32Array(w * h))).toHaveLength(1);
  });
});

describe('rectangles', () => {
  it('scales, pads (clipped) and merges overlapping boxes', () => {
    const rect = blobToRect({ x0: 1, y0: 2, x1: 3, y1: 2, area: 3 }, 4);
    expect(rect).toEqual({ x: 4, y: 8, width: 12, height: 4 });
    expect(padRect(rect, 5, 18, 100)).toEqual({ x: 0, y: 3, width: 18, height: 14 });
    const merged = mergeRects(
      [
        { x: 0, y: 0, width: 10, height: 10 },
        { x: 50, y: 50, width: 5, height: 5 },
        { x: 8, y: 8, width: 10, height: 10 },
        { x: 20, y: 0, width: 4, height: 4 },
      ],
      0,
    );
    expect(merged).toEqual([
      { x: 0, y: 0, width: 18, height: 18 },
      { x: 50, y: 50, width: 5, height: 5 },
      { x: 20, y: 0, width: 4, height: 4 },
    ]);
    expect(mergeRects([{ x: 0, y: 0, width: 10, height: 10 }, { x: 12, y: 0, width: 4, height: 4 }], 3)).toEqual([{ x: 0, y: 0, width: 16, height: 10 }]);
  });
});

describe('ChangeDetector on synthetic frames', () => {
  const W = 160, H = 120;

  it('forwards the first frame whole and then sees no change in an identical frame', () => {
    const detector = new ChangeDetector(W, H, settings());
    const still = frame(W, H, texture);
    const first = detector.detect(still);
    expect(first).toMatchObject({ changed: true, first: true, score: 1, regions: [{ x: 0, y: 0, width: W, height: H }] });
    const second = detector.detect(Buffer.from(still));
    expect(second).toMatchObject({ changed: false, score: 0, regions: [], first: false });
  });

  it('ignores sensor noise on a still scene', () => {
    const detector = new ChangeDetector(W, H, settings());
    const random = rng(7);
    let changed = 0;
    for (let i = 0; i < 30; i++) {
      const result = detector.detect(frame(W, H, (x, y) => texture(x, y) + (random() - 0.5) * 30));
      if (!result.first && result.changed) changed++;
    }
    expect(changed).toBe(0);
  });

  it('finds a moving block and boxes it (padded, at full resolution)', () => {
    const detector = new ChangeDetector(W, H, settings({ padding: 4 }));
    const block = (bx: number) => frame(W, H, (x, y) => (x >= bx && x < bx + 16 && y >= 40 && y < 64 ? 230 : texture(x, y)));
    detector.detect(block(20));
    const result = detector.detect(block(36));
    expect(result.changed).toBe(true);
    expect(result.regions).toHaveLength(1);
    const [region] = result.regions;
    // Old and new positions together span x 20..52, y 40..64; dilation adds one 4-px block, padding 4 px.
    expect(region.x).toBeLessThanOrEqual(20);
    expect(region.x).toBeGreaterThanOrEqual(20 - 4 - 4);
    expect(region.x + region.width).toBeGreaterThanOrEqual(52);
    expect(region.x + region.width).toBeLessThanOrEqual(52 + 4 + 4);
    expect(region.y).toBeLessThanOrEqual(40);
    expect(region.y + region.height).toBeGreaterThanOrEqual(64);
    expect(result.score).toBeGreaterThan(0.02);
  });

  it.each(['previous', 'background'] as const)('treats a light ramp as no change (reference %s)', (reference) => {
    const detector = new ChangeDetector(W, H, settings({ reference }));
    let changed = 0;
    for (let i = 0; i < 60; i++) {
      const result = detector.detect(frame(W, H, (x, y) => texture(x, y) + i * 1.5));
      if (!result.first && result.changed) changed++;
    }
    expect(changed).toBe(0);
  });

  it('without brightness compensation a background reference calls a fast light ramp change', () => {
    const detector = new ChangeDetector(W, H, settings({ reference: 'background', compensateBrightness: false }));
    let changed = 0;
    for (let i = 0; i < 30; i++) if (detector.detect(frame(W, H, (x, y) => texture(x, y) + i * 1.5)).changed) changed++;
    expect(changed).toBeGreaterThan(10);
  });

  it('ignores blobs smaller than minBlobArea and reuses its buffers', () => {
    const detector = new ChangeDetector(W, H, settings({ minBlobArea: 3 }));
    detector.detect(frame(W, H, texture));
    // One 4x4-pixel speck = one detection pixel at downscale 4: below minBlobArea.
    const result = detector.detect(frame(W, H, (x, y) => (x >= 80 && x < 84 && y >= 60 && y < 64 ? 250 : texture(x, y))));
    expect(result.changed).toBe(false);
  });

  it('rejects a frame of the wrong size with a clear error', () => {
    const detector = new ChangeDetector(W, H, settings());
    expect(() => detector.detect(Buffer.alloc(10))).toThrow(/expected 57600 \(rgb24 160x120\)/);
  });
});

describe('dilate against a brute-force reference', () => {
  it.each([1, 2, 3])('radius %i', (radius) => {
    const w = 13, h = 9;
    const random = rng(radius);
    const mask = Uint8Array.from({ length: w * h }, () => (random() < 0.08 ? 1 : 0));
    const out = new Uint8Array(w * h);
    dilate(mask, w, h, radius, new Uint8Array(w * h), out);
    const expected = new Uint8Array(w * h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let dy = -radius; dy <= radius; dy++) {
          for (let dx = -radius; dx <= radius; dx++) {
            const yy = y + dy, xx = x + dx;
            if (yy >= 0 && yy < h && xx >= 0 && xx < w && mask[yy * w + xx]) expected[y * w + x] = 1;
          }
        }
      }
    }
    expect(Array.from(out)).toEqual(Array.from(expected));
  });
});

describe('reference: forwarded (compare with what the receiver holds)', () => {
  const W = 160;
  const H = 120;
  // A 24x24 block whose grey creeps up by 5 levels a frame: below the threshold (12) frame to frame.
  const creeping = (step: number, bx = 40) => frame(W, H, (x, y) => (x >= bx && x < bx + 24 && y >= 40 && y < 64 ? 120 + 5 * step : texture(x, y)));

  it('a previous-frame reference never sees a change that creeps below the threshold', () => {
    const detector = new ChangeDetector(W, H, settings({ reference: 'previous' }));
    const changed = Array.from({ length: 8 }, (_, step) => detector.detect(creeping(step))).filter((r) => !r.first && r.changed);
    expect(changed).toHaveLength(0);
  });

  it('a forwarded reference adds the creep up until it passes the threshold, sends it, and starts again from there', () => {
    const detector = new ChangeDetector(W, H, settings({ reference: 'forwarded' }));
    const changedAt: number[] = [];
    for (let step = 0; step < 8; step++) {
      const result = detector.detect(creeping(step));
      if (result.first) detector.forwarded('frame');
      else if (result.changed) {
        changedAt.push(step);
        detector.forwarded(result.regions);
      } else detector.forwarded([]);
    }
    // 5, 10, 15 > 12: changed at step 3; from there again at step 6.
    expect(changedAt).toEqual([3, 6]);
  });

  it('only what was forwarded becomes the reference: an unsent region stays changed', () => {
    const detector = new ChangeDetector(W, H, settings({ reference: 'forwarded', mergeSlack: 0 }));
    const twoBlocks = (v: number) => frame(W, H, (x, y) => (y >= 40 && y < 64 && ((x >= 16 && x < 40) || (x >= 112 && x < 136)) ? v : texture(x, y)));
    detector.detect(twoBlocks(120));
    detector.forwarded('frame');
    const first = detector.detect(twoBlocks(200));
    expect(first.regions).toHaveLength(2);
    const left = first.regions.find((r) => r.x < 80)!;
    detector.forwarded([left]);
    const second = detector.detect(twoBlocks(200));
    expect(second.changed).toBe(true);
    expect(second.regions).toHaveLength(1);
    expect(second.regions[0].x).toBeGreaterThan(80);
  });
});

describe('yuv420p frames (policy video): grey from the Y plane', () => {
  const W = 160, H = 120;
  /** Frames `indexes` of a moving lavfi test pattern, decoded by the bundled ffmpeg to `pixelFormat`. */
  const lavfiFrames = (pixelFormat: 'rgb24' | 'yuv420p', filter = 'null'): Buffer[] => {
    const raw = execFileSync(resolveFfmpegPath(), ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `testsrc2=size=${W}x${H}:rate=10:duration=1`, '-vf', filter, '-f', 'rawvideo', '-pix_fmt', pixelFormat, 'pipe:1'], { maxBuffer: 16 << 20 });
    const bytes = frameBytes(W, H, pixelFormat);
    return Array.from({ length: raw.length / bytes }, (_, i) => raw.subarray(i * bytes, (i + 1) * bytes));
  };

  it('gives the grey of the rgb24 path within a few levels on a grey scene (limited-range luma mapped to full range)', () => {
    // Saturated colours differ by design: luma weighs R, G, B 0.30/0.59/0.11, the rgb24 path 1/4, 1/2, 1/4.
    const [rgb] = lavfiFrames('rgb24', 'hue=s=0');
    const [yuv] = lavfiFrames('yuv420p', 'hue=s=0');
    const fromRgb = new Uint8Array(40 * 30);
    const fromLuma = new Uint8Array(40 * 30);
    rgbToGrayDownscaled(rgb, W, H, 4, fromRgb, new Uint32Array(40));
    lumaToGrayDownscaled(yuv, W, H, 4, fromLuma, new Uint32Array(40));
    let total = 0;
    for (let i = 0; i < fromRgb.length; i++) total += Math.abs(fromRgb[i] - fromLuma[i]);
    expect(total / fromRgb.length).toBeLessThan(2);
    // Black (Y 16) and white (Y 235) are the ends of the grey scale.
    const ends = Buffer.alloc(frameBytes(4, 2, 'yuv420p'), 128);
    ends.fill(16, 0, 2);
    ends.fill(235, 2, 4);
    ends.fill(16, 4, 6);
    ends.fill(235, 6, 8);
    const out = new Uint8Array(2);
    lumaToGrayDownscaled(ends, 4, 2, 2, out, new Uint32Array(2));
    expect([...out]).toEqual([0, 255]);
  });

  it('finds the same changes in a moving scene from yuv420p as from rgb24', () => {
    const rgb = lavfiFrames('rgb24');
    const yuv = lavfiFrames('yuv420p');
    const fromRgb = new ChangeDetector(W, H, settings());
    const fromYuv = new ChangeDetector(W, H, settings());
    let compared = 0;
    for (let i = 0; i < rgb.length; i++) {
      const a = fromRgb.detect(rgb[i]);
      const b = fromYuv.detect(yuv[i], 'yuv420p');
      expect(b.changed).toBe(a.changed);
      if (!a.changed || a.first) continue;
      compared++;
      const area = (rs: { width: number; height: number }[]) => rs.reduce((s, r) => s + r.width * r.height, 0);
      expect(Math.abs(area(b.regions) - area(a.regions))).toBeLessThan(0.2 * area(a.regions));
    }
    expect(compared).toBeGreaterThan(5);
    expect(() => fromYuv.detect(Buffer.alloc(W * H), 'yuv420p')).toThrow(/expected 28800 \(yuv420p 160x120\)/);
  });
});

describe('lumaToGrayDownscaled: the word-at-a-time path for factor 4 against the byte loop', () => {
  it('gives the same grey for aligned and unaligned Y planes', () => {
    const width = 64, height = 20;
    const random = rng(3);
    const backing = new Uint8Array(frameBytes(width, height, 'yuv420p') + 1);
    for (let i = 0; i < backing.length; i++) backing[i] = Math.floor(random() * 256);
    const aligned = backing.subarray(0, backing.length - 1);
    const unaligned = Uint8Array.from(aligned);
    const shifted = new Uint8Array(unaligned.length + 1);
    shifted.set(unaligned, 1);
    const fast = new Uint8Array(16 * 5);
    const slow = new Uint8Array(16 * 5);
    lumaToGrayDownscaled(aligned, width, height, 4, fast, new Uint32Array(16));
    lumaToGrayDownscaled(shifted.subarray(1), width, height, 4, slow, new Uint32Array(16));
    expect(fast).toEqual(slow);
    expect(new Set(fast).size).toBeGreaterThan(5);
  });
});
