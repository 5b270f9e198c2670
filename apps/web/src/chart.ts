/** Hand-written SVG line charts (pure: numbers in, path strings out). */

export interface Series {
  name: string;
  colour: string;
  /** One value per sample; undefined where unknown (the line breaks). */
  values: (number | undefined)[];
}

/** Maps a value to a y pixel (0 at the top). */
export type YScale = (value: number) => number;

/**
 * Log10 scale over [min, max] decades: raw video and fog->cloud differ by ~1000x, which a linear
 * axis would flatten to a line on zero. Values at or under `min` sit on the bottom.
 */
export function logScale(min: number, max: number, height: number): YScale {
  const low = Math.log10(min);
  const span = Math.max(1e-9, Math.log10(max) - low);
  return (value) => {
    const v = Math.log10(Math.max(value, min));
    return height - (Math.min(v - low, span) / span) * height;
  };
}

/** Decade bounds [10^a, 10^b] that hold every known value (at least one decade). */
export function decadeBounds(values: readonly (number | undefined)[], floor = 100): { min: number; max: number } {
  const known = values.filter((v): v is number => v !== undefined && v > 0);
  const top = known.length ? Math.max(...known) : floor * 10;
  const bottom = known.length ? Math.max(floor, Math.min(...known)) : floor;
  const max = 10 ** Math.ceil(Math.log10(Math.max(top, floor * 10)));
  const min = Math.min(10 ** Math.floor(Math.log10(bottom)), max / 10);
  return { min, max };
}

/**
 * SVG path of one series across `samples` slots of a `width` wide box (newest sample at the right
 * edge); unknown values break the line.
 */
export function linePath(values: readonly (number | undefined)[], samples: number, width: number, y: YScale): string {
  const step = samples > 1 ? width / (samples - 1) : 0;
  const offset = samples - values.length;
  let path = '';
  let drawing = false;
  values.forEach((value, i) => {
    if (value === undefined) {
      drawing = false;
      return;
    }
    path += `${drawing ? 'L' : 'M'}${((i + offset) * step).toFixed(1)},${y(value).toFixed(1)}`;
    drawing = true;
  });
  return path;
}
