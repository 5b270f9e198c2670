import sharp from 'sharp';
import { InvalidImageError, clipBox, paddingFor, prepareImage, toSourceBox } from './image-input';

describe('clipBox', () => {
  it('keeps a box inside the image', () => {
    expect(clipBox({ x: 2, y: 3, width: 4, height: 5 }, 10, 10)).toEqual({ x: 2, y: 3, width: 4, height: 5 });
  });
  it('clips a box running past the edges and rounds outwards', () => {
    expect(clipBox({ x: -2.5, y: 7.2, width: 6, height: 10 }, 10, 10)).toEqual({ x: 0, y: 7, width: 4, height: 3 });
  });
  it('returns null when nothing is left', () => {
    expect(clipBox({ x: 12, y: 0, width: 4, height: 4 }, 10, 10)).toBeNull();
  });
});

describe('prepareImage', () => {
  const width = 8;
  const height = 6;
  const rgb = new Uint8Array(width * height * 3).map((_, i) => i % 251);

  it('takes raw RGB pixels as they are', async () => {
    const prepared = await prepareImage({ data: rgb, width, height, channels: 3 });
    expect(prepared).toMatchObject({ width, height, sourceWidth: width, sourceHeight: height, offsetX: 0, offsetY: 0 });
    expect(Buffer.from(prepared.rgb).equals(Buffer.from(rgb))).toBe(true);
  });

  it('applies region and grey padding and maps boxes back to source pixels', async () => {
    const prepared = await prepareImage({ data: rgb, width, height, channels: 3 }, { region: { x: 2, y: 1, width: 4, height: 3 }, pad: 5 });
    expect(prepared).toMatchObject({ width: 14, height: 13, offsetX: 2 - 5, offsetY: 1 - 5 });
    expect([...prepared.rgb.subarray(0, 3)]).toEqual([128, 128, 128]);
    // First pixel of the region (x=2, y=1) lands at (5, 5) of the prepared image.
    const at = (5 * 14 + 5) * 3;
    const source = (1 * width + 2) * 3;
    expect([...prepared.rgb.subarray(at, at + 3)]).toEqual([...rgb.subarray(source, source + 3)]);
    expect(toSourceBox(prepared, { x: 5, y: 5, width: 4, height: 3 })).toEqual({ x: 2, y: 1, width: 4, height: 3 });
    // A box over the padding is clipped to the source image.
    expect(toSourceBox(prepared, { x: 0, y: 0, width: 14, height: 13 })).toEqual({ x: 0, y: 0, width: 8, height: 6 });
  });

  it('pads by a ratio of the shorter side, capped', async () => {
    const prepared = await prepareImage({ data: rgb, width, height, channels: 3 }, { padRatio: 0.5 });
    expect(prepared).toMatchObject({ width: 8 + 6, height: 6 + 6, offsetX: -3, offsetY: -3 });
    expect(paddingFor(150, 200, { padRatio: 0.27 })).toBe(41);
    expect(paddingFor(1000, 800, { padRatio: 0.27 })).toBe(64);
    expect(paddingFor(1000, 800, { padRatio: 0.27, pad: 5 })).toBe(5);
  });

  it('drops the alpha channel of RGBA input', async () => {
    const rgba = new Uint8Array(2 * 2 * 4).fill(200);
    const prepared = await prepareImage({ data: rgba, width: 2, height: 2, channels: 4 });
    expect(prepared.rgb.length).toBe(2 * 2 * 3);
  });

  it('decodes JPEG bytes', async () => {
    const jpeg = await sharp(Buffer.from(rgb), { raw: { width, height, channels: 3 } }).jpeg().toBuffer();
    const prepared = await prepareImage(jpeg);
    expect(prepared).toMatchObject({ width, height });
  });

  it('rejects bytes that are not an image', async () => {
    await expect(prepareImage(Buffer.from('definitely not an image'))).rejects.toBeInstanceOf(InvalidImageError);
    await expect(prepareImage(new Uint8Array(0))).rejects.toBeInstanceOf(InvalidImageError);
  });

  it('rejects raw pixels whose length does not match the size', async () => {
    await expect(prepareImage({ data: rgb, width: width + 1, height, channels: 3 })).rejects.toThrow(/expected 9x6x3/);
  });

  it('rejects a region outside the image', async () => {
    await expect(prepareImage({ data: rgb, width, height, channels: 3 }, { region: { x: 20, y: 0, width: 3, height: 3 } })).rejects.toBeInstanceOf(
      InvalidImageError,
    );
  });
});
