import type { Rect } from '../detector/rects';
import { ATLAS_MAX_SIDE, fillAtlas, packAtlas } from './atlas';

const overlap = (a: Rect, b: Rect): boolean => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
const align16 = (v: number) => Math.ceil(v / 16) * 16;

describe('packAtlas', () => {
  const regions: Rect[] = [
    { x: 0, y: 0, width: 50, height: 100 },
    { x: 100, y: 40, width: 300, height: 30 },
    { x: 500, y: 300, width: 200, height: 200 },
    { x: 10, y: 400, width: 17, height: 17 },
    { x: 600, y: 0, width: 160, height: 64 },
  ];

  it('gives every region a block-aligned slot, slots do not overlap, shelves fit the frame width', () => {
    const layout = packAtlas(regions, 640)!;
    const slots = layout.slots.map((s, i) => ({ x: s.atlasX, y: s.atlasY, width: align16(regions[i].width), height: align16(regions[i].height) }));
    for (const slot of slots) {
      expect(slot.x % 16).toBe(0);
      expect(slot.y % 16).toBe(0);
      expect(slot.x + slot.width).toBeLessThanOrEqual(layout.width);
      expect(slot.y + slot.height).toBeLessThanOrEqual(layout.height);
    }
    for (const [i, a] of slots.entries()) for (const b of slots.slice(i + 1)) expect(overlap(a, b)).toBe(false);
    expect(layout.width).toBeLessThanOrEqual(640);
    // Tallest first on a shelf while they fit: slots 208 + 64 + 160 + 304 > 640, so the 300-wide one starts shelf 2.
    expect(layout.slots[2]).toEqual({ atlasX: 0, atlasY: 0 });
    expect(layout.slots[1]).toEqual({ atlasX: 0, atlasY: 208 });
    expect(layout.height).toBe(208 + 32);
  });

  it('refuses an atlas taller than a JPEG can be', () => {
    const tall = Array.from({ length: 20 }, (_, i) => ({ x: 0, y: i, width: 700, height: 4000 }));
    expect(packAtlas(tall, 768)).toBeUndefined();
    expect(ATLAS_MAX_SIDE).toBe(65_535);
  });
});

describe('fillAtlas', () => {
  it('copies each region into its slot, repeats its last column and row up to the block grid, grey elsewhere', () => {
    const width = 40;
    const height = 30;
    const frame = new Uint8Array(width * height * 3);
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) frame.set([x, y, 200], (y * width + x) * 3);
    const regions: Rect[] = [
      { x: 3, y: 5, width: 10, height: 7 },
      { x: 20, y: 2, width: 18, height: 20 },
    ];
    const layout = packAtlas(regions, width)!;
    const atlas = fillAtlas(frame, width, regions, layout);
    expect(atlas.length).toBe(layout.width * layout.height * 3);
    const at = (x: number, y: number) => [...atlas.subarray((y * layout.width + x) * 3, (y * layout.width + x) * 3 + 3)];
    for (const [i, r] of regions.entries()) {
      const { atlasX, atlasY } = layout.slots[i];
      for (let y = 0; y < r.height; y++) for (let x = 0; x < r.width; x++) expect(at(atlasX + x, atlasY + y)).toEqual([r.x + x, r.y + y, 200]);
      // Padding: last column repeated to the right, last row repeated below.
      expect(at(atlasX + 15, atlasY + 2)).toEqual([r.x + Math.min(15, r.width - 1), r.y + 2, 200]);
      expect(at(atlasX + 1, atlasY + 15)).toEqual([r.x + 1, r.y + Math.min(15, r.height - 1), 200]);
    }
    // The 18x20 region's slot is 32x32; the 10x7 one (16x16) sits beside it; below it is unused grey.
    expect(layout.slots[1]).toEqual({ atlasX: 0, atlasY: 0 });
    expect(layout.slots[0]).toEqual({ atlasX: 32, atlasY: 0 });
    expect(at(32, 20)).toEqual([128, 128, 128]);
  });
});
