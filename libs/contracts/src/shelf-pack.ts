export interface ShelfLayout {
  width: number;
  height: number;
  /** Top-left corner of each rectangle, in the order given. */
  slots: { x: number; y: number }[];
}

const alignUp = (value: number, align: number): number => Math.ceil(value / align) * align;

/**
 * Shelf packing of rectangles, tallest first, onto shelves at most `shelfWidth` wide (a rectangle
 * wider than that gets a shelf of its own). Each rectangle's slot is grown to a multiple of `align`.
 * The roof packs a frame's changed regions into one JPEG atlas with it, the fog several frames'
 * regions into one model input.
 */
export function packShelves(sizes: readonly { width: number; height: number }[], shelfWidth: number, align = 1): ShelfLayout {
  const shelfLimit = alignUp(shelfWidth, align);
  const order = sizes.map((_, i) => i).sort((a, b) => sizes[b].height - sizes[a].height || a - b);
  const slots: ShelfLayout['slots'] = new Array(sizes.length);
  let x = 0;
  let y = 0;
  let shelfHeight = 0;
  let width = 0;
  for (const i of order) {
    const slotWidth = alignUp(sizes[i].width, align);
    const slotHeight = alignUp(sizes[i].height, align);
    if (x > 0 && x + slotWidth > shelfLimit) {
      y += shelfHeight;
      x = 0;
      shelfHeight = 0;
    }
    slots[i] = { x, y };
    x += slotWidth;
    width = Math.max(width, x);
    shelfHeight = Math.max(shelfHeight, slotHeight);
  }
  return { width, height: y + shelfHeight, slots };
}
