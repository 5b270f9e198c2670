import sharp from 'sharp';
import { overlaySvg, renderLatest } from './annotate';

describe('annotated view', () => {
  it('draws one box and one escaped tag per detection', () => {
    const svg = overlaySvg(100, 50, [{ classId: 0, label: 'person<&>', score: 0.876, box: { x: 10, y: 20, width: 30, height: 25 }, trackId: 7 }]);
    expect(svg).toContain('width="100" height="50"');
    expect(svg).toContain('<rect x="10.0" y="20.0" width="30.0" height="25.0"');
    expect(svg).toContain('person&lt;&amp;&gt; #7 0.88');
  });

  it('renders a JPEG of the frame size with the regions pasted over the base', async () => {
    const region = { data: Buffer.alloc(10 * 10 * 3, 255), width: 10, height: 10, channels: 3 as const };
    const jpeg = await renderLatest({
      cameraId: 'cam',
      seq: 1,
      capturedAt: 0,
      width: 64,
      height: 48,
      regions: [{ image: region, offsetX: 20, offsetY: 20 }],
      detections: [{ classId: 0, label: 'person', score: 0.9, box: { x: 1, y: 1, width: 10, height: 10 }, source: 0, trackId: 1 }],
    });
    const { data, info } = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([64, 48]);
    expect(data[(25 * 64 + 25) * 3]).toBeGreaterThan(200); // inside the white region
    expect(data[(40 * 64 + 50) * 3]).toBeLessThan(100); // grey background
  });
});
