import { PACK_GAP, PackedSlot, packSquare, unpackCandidates } from './region-packer';

describe('packSquare (regions of several frames in one model input)', () => {
  it('places images on shelves, tallest first, PACK_GAP apart, inside the square', () => {
    const sizes = [
      { width: 100, height: 50 },
      { width: 200, height: 120 },
      { width: 150, height: 80 },
    ];
    const at = packSquare(sizes, 416)!;
    // 200 + 150 (+ gaps) leave no room for 100 more on the first shelf.
    expect(at).toEqual([
      { x: 0, y: 120 + PACK_GAP },
      { x: 0, y: 0 },
      { x: 200 + PACK_GAP, y: 0 },
    ]);
  });

  it('opens a new shelf when a row is full, and refuses what cannot fit', () => {
    expect(packSquare([{ width: 300, height: 100 }, { width: 300, height: 100 }], 416)).toEqual([
      { x: 0, y: 0 },
      { x: 0, y: 100 + PACK_GAP },
    ]);
    expect(packSquare([{ width: 417, height: 10 }], 416)).toBeUndefined(); // wider than the input
    expect(packSquare([{ width: 416, height: 416 }], 416)).toEqual([{ x: 0, y: 0 }]); // exactly the input
    expect(packSquare([{ width: 300, height: 210 }, { width: 300, height: 210 }], 416)).toBeUndefined(); // two shelves too tall
    expect(packSquare([], 416)).toEqual([]);
  });
});

describe('unpackCandidates (one detector run back to its frames)', () => {
  const slots: PackedSlot[] = [
    { job: 0, image: 0, x: 0, y: 0, width: 100, height: 200, offsetX: 300, offsetY: 50 },
    { job: 1, image: 0, x: 108, y: 0, width: 80, height: 80, offsetX: 0, offsetY: 0 },
    { job: 1, image: 1, x: 108, y: 88, width: 80, height: 80, offsetX: 500, offsetY: 400 },
  ];
  const box = (x1: number, y1: number, x2: number, y2: number) => ({ classId: 0, score: 0.9, x1, y1, x2, y2 });

  it('gives each candidate to the image its centre lies in, clipped to it, in that frame\'s pixels', () => {
    const [first, second] = unpackCandidates([box(10, 20, 60, 180), box(90, 10, 130, 60), box(110, 90, 150, 200)], slots, 2);
    expect(first).toEqual([{ ...box(310, 70, 360, 230), source: 0 }]);
    // Centre 110,35 lies in job 1's first image; its left edge ran into the gap and job 0's image.
    expect(second).toEqual([
      { ...box(0, 10, 22, 60), source: 0 },
      { ...box(502, 402, 542, 480), source: 1 },
    ]);
  });

  it('drops candidates centred in the padding between or beside images', () => {
    expect(unpackCandidates([box(100, 0, 108, 50), box(300, 300, 400, 400)], slots, 2)).toEqual([[], []]);
  });
});
