import sharp from 'sharp';
import { loadConfig } from '@sentinel/config';
import { FrameMessage, SCHEMA_VERSION } from '@sentinel/contracts';
import type { RgbImage } from '../../image/decode-image';
import { FogStats } from '../fog-stats';
import { FrameRejectedError } from '../frame-rejected';
import { CodecDecoder, DecodedMessage, JpegFrameDecoder } from './decode';
import { postProcess } from './post-process';
import { FrameRebuilder } from './rebuild';
import { TrackStage } from './track';

const solid = (width: number, height: number, value: number): RgbImage => ({ data: Buffer.alloc(width * height * 3, value), width, height, channels: 3 });
const jpegOf = (image: RgbImage): Promise<Buffer> => sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } }).jpeg({ quality: 95 }).toBuffer();

function message(fields: Partial<FrameMessage>): FrameMessage {
  return Object.assign(new FrameMessage(), { v: SCHEMA_VERSION, cameraId: 'c', seq: 0, capturedAt: 1, width: 64, height: 48, kind: 'frame' as const, changeScore: 1, jpeg: new Uint8Array(0), ...fields });
}

describe('JpegFrameDecoder (stage 1)', () => {
  it('decodes a whole frame, and rejects a frame of the wrong size as size-mismatch, counted', async () => {
    const stats = new FogStats();
    const decoder = new JpegFrameDecoder(1_000_000, stats);
    const jpeg = await jpegOf(solid(64, 48, 200));
    const decoded = await decoder.decode(message({ jpeg }));
    expect([decoded.picture.width, decoded.picture.height, decoded.placements, decoded.droppedRegions]).toEqual([64, 48, [], 0]);
    await expect(decoder.decode(message({ jpeg, width: 32 }))).rejects.toMatchObject({ reason: 'size-mismatch', message: expect.stringMatching(/^c#0: frame: /) });
    expect(stats.snapshot().drops).toEqual({ 'size-mismatch': 1 });
  });

  it('keeps the regions that fit the atlas, drops the others (counted), and rejects a message with none usable', async () => {
    const stats = new FogStats();
    const warnings: string[] = [];
    const decoder = new JpegFrameDecoder(1_000_000, stats, (w) => warnings.push(w));
    const jpeg = await jpegOf(solid(16, 16, 10));
    const good = { x: 0, y: 0, width: 16, height: 16, atlasX: 0, atlasY: 0 };
    const offAtlas = { ...good, atlasX: 8 };
    const decoded = await decoder.decode(message({ kind: 'regions', jpeg, regions: [good, offAtlas] }));
    expect(decoded.placements).toEqual([good]);
    expect(decoded.droppedRegions).toBe(1);
    expect(warnings[0]).toMatch(/region 1 16x16\+0\+0 at 8,0 lies outside the 16x16 atlas \(region dropped/);
    const error = await decoder.decode(message({ kind: 'regions', jpeg, regions: [{ ...good, x: 60 }] })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FrameRejectedError);
    expect((error as FrameRejectedError).reason).toBe('region-outside-frame');
    expect(stats.snapshot()).toMatchObject({ regions: 3, drops: { 'region-outside-atlas': 1, 'region-outside-frame': 1 } });
  });

  it('rejects a message without image bytes as missing-image', async () => {
    const stats = new FogStats();
    await expect(new JpegFrameDecoder(1_000_000, stats).decode(message({ jpeg: undefined as unknown as Uint8Array }))).rejects.toMatchObject({ reason: 'missing-image' });
    expect(stats.snapshot().drops['missing-image']).toBe(1);
  });
});

describe('CodecDecoder (stage 1 by codec)', () => {
  it('routes JPEG (the default codec) to its decoder and rejects a codec it has no decoder for, counted', async () => {
    const stats = new FogStats();
    const decoder = new CodecDecoder({ jpeg: new JpegFrameDecoder(1_000_000, stats) }, stats);
    const jpeg = await jpegOf(solid(64, 48, 10));
    expect(((await decoder.decode(message({ jpeg }))) as DecodedMessage).picture.width).toBe(64);
    const h264 = message({ codec: 'h264', packet: new Uint8Array([0, 0, 0, 1, 0x65]), keyframe: true, jpeg: undefined as unknown as Uint8Array });
    await expect(decoder.decode(h264)).rejects.toMatchObject({ reason: 'missing-image', message: 'c#0: codec h264: no decoder for it on this fog (it decodes jpeg)' });
    expect(stats.snapshot().drops['missing-image']).toBe(1);
  });
});

describe('FrameRebuilder (stage 2: the baseSeq chain)', () => {
  const atlas = solid(4, 4, 9);
  const region = { x: 0, y: 0, width: 4, height: 4, atlasX: 0, atlasY: 0 };
  const regions = (seq: number, baseSeq: number | undefined, droppedRegions = 0) => ({
    message: message({ kind: 'regions', seq, baseSeq, width: 8, height: 8 }),
    decoded: { picture: atlas, placements: [region], droppedRegions },
  });
  const frame = (seq: number) => ({ message: message({ seq, width: 8, height: 8 }), decoded: { picture: solid(8, 8, 1), placements: [], droppedRegions: 0 } });
  const apply = (rebuilder: FrameRebuilder, m: { message: FrameMessage; decoded: Parameters<FrameRebuilder['apply']>[1] }) => rebuilder.apply(m.message, m.decoded);

  it('canvas mode: detects on the rebuilt frame while in step, region by region (asking for a whole frame) after a gap', () => {
    const rebuilder = new FrameRebuilder('canvas');
    expect(apply(rebuilder, regions(1, 0))).toMatchObject({ detectedOn: 'regions', needsWholeFrame: true }); // nothing held yet
    const whole = apply(rebuilder, frame(2));
    expect(whole).toMatchObject({ detectedOn: 'frame', needsWholeFrame: false });
    const rebuilt = apply(rebuilder, regions(3, 2));
    expect(rebuilt).toMatchObject({ detectedOn: 'canvas', needsWholeFrame: false });
    expect([rebuilt.images[0].image.width, rebuilt.images[0].image.data[0], rebuilt.images[0].image.data[(7 * 8 + 7) * 3]]).toEqual([8, 9, 1]);
    expect(apply(rebuilder, regions(5, 4))).toMatchObject({ detectedOn: 'regions', needsWholeFrame: true }); // 4 never arrived
    expect(apply(rebuilder, regions(6, 5))).toMatchObject({ detectedOn: 'regions', needsWholeFrame: true }); // still out of step
    apply(rebuilder, frame(7));
    expect(apply(rebuilder, regions(8, 7, 1))).toMatchObject({ detectedOn: 'regions', needsWholeFrame: true }); // a dropped region leaves a hole
  });

  it('hands the annotated view a frame that later messages never write (copy on write of the canvas)', () => {
    const rebuilder = new FrameRebuilder('canvas');
    const shown = apply(rebuilder, frame(1)).view!;
    const next = apply(rebuilder, regions(2, 1));
    expect(shown.data[0]).toBe(1);
    expect(next.view!.data[0]).toBe(9);
    expect(next.view).toBe(next.images[0].image);
    expect(apply(rebuilder, regions(4, 3)).view).toBeUndefined(); // out of step: no whole frame to show
    expect(next.view!.data[0]).toBe(9);
  });

  it('each mode: regions are always detected on their own, and never ask for a whole frame', () => {
    const rebuilder = new FrameRebuilder('each');
    apply(rebuilder, frame(1));
    const out = apply(rebuilder, regions(2, 1));
    expect(out).toMatchObject({ detectedOn: 'regions', needsWholeFrame: false });
    expect(out.images).toHaveLength(1);
    expect([out.images[0].image.width, out.images[0].offsetX]).toEqual([4, 0]);
  });
  it('packed mode: regions alone while they fit one model input, the rebuilt frame when they do not', () => {
    let fits = true;
    const rebuilder = new FrameRebuilder('packed', (sizes) => fits && sizes.every((s) => s.width === 4));
    expect(apply(rebuilder, regions(1, 0))).toMatchObject({ detectedOn: 'regions', needsWholeFrame: true }); // nothing held yet
    apply(rebuilder, frame(2));
    const packed = apply(rebuilder, regions(3, 2));
    expect(packed).toMatchObject({ detectedOn: 'regions', needsWholeFrame: false, packed: true });
    expect([packed.images.length, packed.images[0].image.width]).toEqual([1, 4]);
    fits = false;
    // The canvas took the regions of 3 as well, so 4 (on 3) still rebuilds.
    expect(apply(rebuilder, regions(4, 3))).toMatchObject({ detectedOn: 'canvas', needsWholeFrame: false, packed: false });
    // Out of step and too large: each region on its own, not packed.
    expect(apply(rebuilder, regions(6, 5))).toMatchObject({ detectedOn: 'regions', needsWholeFrame: true, packed: false });
    expect(apply(new FrameRebuilder('packed'), regions(1, 0))).toMatchObject({ detectedOn: 'regions', packed: false }); // no packer: as canvas
  });
});

describe('postProcess (stage 4)', () => {
  it('merges candidates of several images by class-wise NMS, clips to the frame and labels them', () => {
    const detections = postProcess(
      [
        { classId: 0, score: 0.9, x1: 10, y1: 10, x2: 30, y2: 50, source: 0 },
        { classId: 0, score: 0.8, x1: 11, y1: 10, x2: 31, y2: 50, source: 1 },
        { classId: 2, score: 0.7, x1: 50, y1: 40, x2: 80, y2: 60, source: 1 },
      ],
      { width: 64, height: 48 },
      { nmsIou: 0.45, maxDetections: 10, labels: ['person', 'bicycle', 'car'] },
    );
    expect(detections).toEqual([
      { classId: 0, label: 'person', score: 0.9, box: { x: 10, y: 10, width: 20, height: 38 }, source: 0 },
      { classId: 2, label: 'car', score: 0.7, box: { x: 50, y: 40, width: 14, height: 8 }, source: 1 },
    ]);
  });
});

describe('TrackStage (stage 5)', () => {
  const config = loadConfig({ sets: ['fog.suspicious.minDwellMs=1000'] }).fog;
  const person = (x: number) => ({ classId: 0, label: 'person', score: 0.9, box: { x, y: 10, width: 20, height: 40 }, source: 0 });
  const none = { images: [] };
  const bag = { classId: 24, label: 'backpack', score: 0.8, box: { x: 100, y: 100, width: 10, height: 10 }, source: 0 };

  it('keeps a track id across frames, ends idle tracks and raises one dwell alert per watched track', () => {
    const stage = new TrackStage('c', config, new Set([24]));
    const first = stage.update([person(10), bag], 0, none);
    expect(first.started).toHaveLength(2);
    const second = stage.update([person(12), bag], 500, none);
    expect(second.tracked.map((d) => d.trackId)).toEqual(first.tracked.map((d) => d.trackId));
    expect(second.dwellAlerts).toEqual([]);
    const third = stage.update([bag], 1000, none);
    expect(third.dwellAlerts).toEqual([expect.objectContaining({ trackId: first.tracked[1].trackId, since: 0 })]);
    expect(stage.update([bag], 1500, none).dwellAlerts).toEqual([]);
    expect(stage.update([bag], 3200, none).ended).toEqual([first.tracked[0].trackId]);
  });

  const paint = (colour: [number, number, number], personColour?: [number, number, number]): RgbImage => {
    const img = solid(160, 120, 0);
    for (let y = 0; y < 120; y++) for (let x = 0; x < 160; x++) img.data.set(personColour && x >= 10 && x < 30 && y >= 10 && y < 50 ? personColour : colour, (y * 160 + x) * 3);
    return img;
  };
  const at = (img: RgbImage) => ({ images: [{ image: img, offsetX: 0, offsetY: 0 }], whole: img });

  it('ends every track of the camera at a scene change, and counts them', () => {
    const stage = new TrackStage('c', config, new Set());
    const first = stage.update([person(10)], 0, at(paint([40, 40, 40], [200, 30, 30])));
    const same = stage.update([person(10)], 100, at(paint([40, 40, 40], [200, 30, 30])));
    expect(same.tracked[0].trackId).toBe(first.tracked[0].trackId);
    const cut = stage.update([person(10)], 200, at(paint([230, 230, 230], [200, 30, 30])));
    expect(cut.reset).toEqual({ 'scene-change': 1, 'appearance-change': 0 });
    expect(cut.ended).toEqual([first.tracked[0].trackId]);
    expect(cut.tracked[0].trackId).not.toBe(first.tracked[0].trackId);
    expect(cut.started.map((t) => t.id)).toEqual([cut.tracked[0].trackId]);
  });

  it('starts a new track when another person stands where the tracked one stood (abrupt colour change)', () => {
    const stage = new TrackStage('c', config, new Set());
    const first = stage.update([person(10)], 0, at(paint([40, 40, 40], [200, 30, 30])));
    const other = stage.update([person(10)], 100, at(paint([40, 40, 40], [30, 30, 200])));
    expect(other.reset).toEqual({ 'scene-change': 0, 'appearance-change': 1 });
    expect(other.ended).toEqual([first.tracked[0].trackId]);
    expect(other.tracked[0].trackId).toBe(other.started[0].id);
    const again = stage.update([person(10)], 200, at(paint([40, 40, 40], [30, 30, 200])));
    expect(again.tracked[0].trackId).toBe(other.tracked[0].trackId);
    expect(again.reset['appearance-change']).toBe(0);
  });
});
