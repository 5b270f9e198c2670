import sharp, { OverlayOptions } from 'sharp';
import { Box } from '../geometry/box';
import { LatestFrame } from '../pipeline/fog-pipeline';

export interface AnnotatedBox {
  classId: number;
  label: string;
  score: number;
  box: Box;
  trackId?: number;
}

const PALETTE = ['#ff3b30', '#34c759', '#0a84ff', '#ff9f0a', '#bf5af2', '#64d2ff', '#ffd60a', '#ff375f'];

const escapeXml = (text: string): string =>
  text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c);

/** SVG overlay (width x height) with one box and one `label #track score` tag per detection. */
export function overlaySvg(width: number, height: number, boxes: readonly AnnotatedBox[]): string {
  const parts = boxes.map((d) => {
    const colour = PALETTE[(d.trackId ?? d.classId) % PALETTE.length];
    const x = d.box.x.toFixed(1);
    const y = d.box.y.toFixed(1);
    const text = escapeXml(`${d.label}${d.trackId !== undefined ? ` #${d.trackId}` : ''} ${d.score.toFixed(2)}`);
    const tagY = Math.max(12, d.box.y - 3).toFixed(1);
    return (
      `<rect x="${x}" y="${y}" width="${d.box.width.toFixed(1)}" height="${d.box.height.toFixed(1)}" fill="none" stroke="${colour}" stroke-width="2"/>` +
      `<text x="${x}" y="${tagY}" font-family="sans-serif" font-size="12" fill="${colour}" stroke="#000" stroke-width="0.4">${text}</text>`
    );
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${parts.join('')}</svg>`;
}

/**
 * The latest frame of a camera as JPEG with boxes, labels and track ids drawn. In regions mode the
 * latest regions are pasted over the last whole frame seen (grey where none was).
 */
export async function renderLatest(latest: LatestFrame, quality = 80): Promise<Buffer> {
  const { width, height } = latest;
  const base =
    latest.base && latest.base.width === width && latest.base.height === height
      ? sharp(latest.base.data, { raw: { width, height, channels: 3 } })
      : sharp({ create: { width, height, channels: 3, background: { r: 64, g: 64, b: 64 } } });
  const layers: OverlayOptions[] = latest.regions.map((r) => ({
    input: r.image.data,
    raw: { width: r.image.width, height: r.image.height, channels: 3 },
    left: r.offsetX,
    top: r.offsetY,
  }));
  layers.push({ input: Buffer.from(overlaySvg(width, height, latest.detections)), left: 0, top: 0 });
  return base.composite(layers).jpeg({ quality }).toBuffer();
}
