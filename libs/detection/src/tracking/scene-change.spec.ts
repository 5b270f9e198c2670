import type { RgbImage } from '../image/decode-image';
import { AppearanceWatch, boxHistogram, histogramOverlap } from './appearance';
import { SceneWatch, changedFraction, frameSignature, isSceneChange } from './scene-change';

function image(width: number, height: number, rgb: (x: number, y: number) => [number, number, number]): RgbImage {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(rgb(x, y), (y * width + x) * 3);
  return { data, width, height, channels: 3 };
}
const grey = (v: number) => (): [number, number, number] => [v, v, v];
const options = { cellDelta: 24, fraction: 0.3 };

describe('scene-change rule', () => {
  const scene = image(320, 240, (x, y) => [Math.floor(x * 0.79), y, 90]);
  it('a person walking in (a small part changes) is not a scene change; a different picture almost everywhere is', () => {
    const person = image(320, 240, (x, y) => (x > 100 && x < 140 && y > 60 && y < 200 ? [250, 10, 10] : [Math.floor(x * 0.79), y, 90]));
    const cut = image(320, 240, (x, y) => [255 - Math.floor(x * 0.79), 255 - y, 200]);
    const before = frameSignature(scene);
    expect(changedFraction(before, frameSignature(person), 24)).toBeLessThan(0.1);
    expect(isSceneChange(before, frameSignature(person), options)).toBe(false);
    expect(isSceneChange(before, frameSignature(cut), options)).toBe(true);
    expect(isSceneChange(undefined, frameSignature(cut), options)).toBe(false);
  });

  it('the lights dimming a little is not a scene change; the camera watch compares each frame with the one before', () => {
    const dimmer = image(320, 240, (x, y) => [Math.max(0, Math.floor(x * 0.79) - 15), Math.max(0, y - 15), 75]);
    const watch = new SceneWatch(options);
    expect(watch.changed(scene)).toBe(false);
    expect(watch.changed(dimmer)).toBe(false);
    expect(watch.changed(image(320, 240, grey(250)))).toBe(true);
    expect(watch.changed(image(320, 240, grey(250)))).toBe(false);
    expect(watch.changed(image(160, 120, grey(250)))).toBe(true); // another frame size: another scene
  });
});

describe('appearance change', () => {
  const red = image(100, 200, () => [200, 30, 30]);
  const blue = image(100, 200, () => [30, 30, 200]);
  const mixed = image(100, 200, (x) => (x < 50 ? [200, 30, 30] : [30, 200, 30]));
  const box = { x: 10, y: 10, width: 80, height: 180 };

  it('histogram overlap: 1 for the same colours, 0 for none in common', () => {
    expect(histogramOverlap(boxHistogram(red, box)!, boxHistogram(red, box)!)).toBeCloseTo(1);
    expect(histogramOverlap(boxHistogram(red, box)!, boxHistogram(blue, box)!)).toBe(0);
    expect(histogramOverlap(boxHistogram(red, box)!, boxHistogram(mixed, box)!)).toBeCloseTo(0.5, 1);
    expect(boxHistogram(red, { x: 500, y: 0, width: 10, height: 10 })).toBeNull();
  });

  it('a track keeps its person while the colours stay, and changes person when they jump', () => {
    const watch = new AppearanceWatch(0.35);
    expect(watch.changed(1, boxHistogram(red, box)!)).toBe(false); // learnt
    expect(watch.changed(1, boxHistogram(mixed, box)!)).toBe(false); // half the colours in common
    expect(watch.changed(1, boxHistogram(blue, box)!)).toBe(true);
    watch.forget(1);
    expect(watch.changed(1, boxHistogram(blue, box)!)).toBe(false);
    expect(new AppearanceWatch(0).changed(1, boxHistogram(red, box)!) || new AppearanceWatch(0).changed(1, boxHistogram(blue, box)!)).toBe(false);
  });
});
