import { Box, iou } from '@sentinel/contracts';
import { FogService, PERSON_CLASS, RgbImage } from '@sentinel/detection';
import { TruthBox, readVideoFrames } from '@sentinel/evaluation';
import { describeWithSharedData, sharedPath } from '@sentinel/testing';
import { bootFog, frameMessage, regionsMessage, toJpeg } from './support';
import { VTEST_HEIGHT, VTEST_WIDTH, vtestGroundTruth } from './fixtures';

/** A ground-truth person grown by `pad` pixels each side (the roof pads its regions too), inside the frame. */
function around(box: Box, pad: number): Box {
  const x = Math.max(0, Math.floor(box.x - pad));
  const y = Math.max(0, Math.floor(box.y - pad));
  return { x, y, width: Math.min(VTEST_WIDTH, Math.ceil(box.x + box.width + pad)) - x, height: Math.min(VTEST_HEIGHT, Math.ceil(box.y + box.height + pad)) - y };
}

/**
 * fog.regionDetection packed on real video and the real model (YOLOX-Nano, 416x416 input): the changed
 * regions of several cameras share one detector run, at their own scale, and every person in them is
 * found where it is in its own camera's frame.
 */
describeWithSharedData('packed region detection (YOLOX-Nano on vtest.avi)', () => {
  const truth = vtestGroundTruth();
  const gtFrames = [...truth.keys()].sort((a, b) => a - b).slice(0, 4);
  let fog: FogService;
  let close: () => Promise<void>;
  let frames: RgbImage[];

  beforeAll(async () => {
    const booted = await bootFog([`fog.modelPath=${sharedPath('models', 'yolox_nano_416.onnx')}`, 'fog.family=yolox', 'fog.threads=1', 'fog.regionDetection=packed']);
    await booted.moduleRef.init();
    fog = booted.moduleRef.get(FogService);
    close = () => booted.moduleRef.close();
    frames = await readVideoFrames(sharedPath('data', 'vtest.avi'), { width: VTEST_WIDTH, height: VTEST_HEIGHT, indices: gtFrames.map((n) => n - 1) });
  }, 120_000);

  afterAll(async () => {
    await close?.();
  });

  /** Two people of a ground-truth frame that detection on the whole frame found, far enough apart to be two regions. */
  function twoPeople(frameNumber: number, found: readonly { box: Box }[]): TruthBox[] {
    const people = (truth.get(frameNumber) ?? []).filter((t) => !t.ignore && t.box.x > 20 && t.box.x + t.box.width < VTEST_WIDTH - 20 && found.some((d) => iou(d.box, t.box) >= 0.5));
    const first = people[0];
    const second = people.find((p) => Math.abs(p.box.x - first.box.x) > first.box.width + 48);
    if (!first || !second) throw new Error(`frame ${frameNumber} has no two separate people`);
    return [first, second];
  }

  it('detects the people of four cameras\' regions in fewer detector runs than frames, each in its own frame', async () => {
    // A whole frame first: the canvas each camera's regions paste into.
    const cameras: { id: string; frame: RgbImage; people: TruthBox[] }[] = [];
    for (const [i, n] of gtFrames.entries()) {
      const whole = await fog.handle(frameMessage(`cam${i}`, 0, await toJpeg(frames[i]), VTEST_WIDTH, VTEST_HEIGHT));
      cameras.push({ id: `cam${i}`, frame: frames[i], people: twoPeople(n, whole.detections.filter((d) => d.classId === PERSON_CLASS)) });
    }
    const before = fog.packerFigures()!;
    const messages = await Promise.all(cameras.map((c) => regionsMessage(c.id, 1, c.frame, c.people.map((p) => around(p.box, 16)), undefined, 0)));
    const outcomes = await Promise.all(messages.map((m) => fog.handle(m)));
    const after = fog.packerFigures()!;

    expect(after.frames - before.frames).toBe(4);
    expect(after.images - before.images).toBe(8);
    expect(after.passes - before.passes).toBeLessThan(4);
    for (const [i, outcome] of outcomes.entries()) {
      expect(outcome.detectedOn).toBe('regions');
      const persons = outcome.detections.filter((d) => d.classId === PERSON_CLASS);
      // Found in this frame's regions (an image of the frame), or carried over from frame 0 (no pixels).
      const fresh = persons.filter((d) => d.source >= 0);
      const carried = persons.filter((d) => d.source < 0);
      for (const person of cameras[i].people) expect(Math.max(0, ...fresh.map((d) => iou(d.box, person.box)))).toBeGreaterThanOrEqual(0.5);
      // Nothing fresh outside the camera's own regions (another camera's people are not this camera's).
      const regions = cameras[i].people.map((p) => around(p.box, 16));
      const inside = (d: { box: Box }, r: Box) => d.box.x >= r.x - 1 && d.box.y >= r.y - 1 && d.box.x + d.box.width <= r.x + r.width + 1 && d.box.y + d.box.height <= r.y + r.height + 1;
      for (const d of fresh) expect(regions.some((r) => inside(d, r))).toBe(true);
      // The people frame 0 found where nothing changed are still reported, where they were.
      expect(carried.length).toBeGreaterThan(0);
      for (const d of carried) expect(regions.some((r) => iou(d.box, r) > 0.5)).toBe(false);
      expect(outcome.detections.filter((d) => d.trackId !== undefined)).toHaveLength(outcome.detections.length);
    }
  }, 120_000);

  it('detects regions too large for one input region by region when there is no frame to rebuild (a fog restart)', async () => {
    // No whole frame first: the canvas is out of step, and one 600x500 region does not fit 416x416.
    const before = fog.packerFigures()!;
    const outcome = await fog.handle(await regionsMessage('restarted', 7, frames[0], [{ x: 0, y: 0, width: 600, height: 500 }], undefined, 6));
    expect(outcome).toMatchObject({ detectedOn: 'regions', needsWholeFrame: true });
    expect(fog.packerFigures()!.frames).toBe(before.frames);
    const inside = (truth.get(gtFrames[0]) ?? []).filter((t) => !t.ignore && t.box.height >= 60 && t.box.x + t.box.width < 560 && t.box.y + t.box.height < 460);
    const persons = outcome.detections.filter((d) => d.classId === PERSON_CLASS);
    expect(inside.length).toBeGreaterThan(0);
    expect(inside.filter((person) => persons.some((d) => iou(d.box, person.box) >= 0.5)).length).toBeGreaterThanOrEqual(inside.length - 1);
  }, 60_000);

  it('detects on the rebuilt frame when a frame\'s regions do not fit one input', async () => {
    const frame = frames[0];
    await fog.handle(frameMessage('wide', 0, await toJpeg(frame), VTEST_WIDTH, VTEST_HEIGHT));
    const before = fog.packerFigures()!;
    const outcome = await fog.handle(await regionsMessage('wide', 1, frame, [{ x: 0, y: 0, width: 600, height: 500 }], undefined, 0));
    expect(outcome.detectedOn).toBe('canvas');
    expect(fog.packerFigures()!.frames).toBe(before.frames);
    // The whole frame was searched: people outside the region are found too.
    const outside = (truth.get(gtFrames[0]) ?? []).filter((t) => !t.ignore && t.box.x > 620 && t.box.height >= 60);
    const persons = outcome.detections.filter((d) => d.classId === PERSON_CLASS);
    for (const person of outside) expect(Math.max(0, ...persons.map((d) => iou(d.box, person.box)))).toBeGreaterThanOrEqual(0.5);
  }, 60_000);
});
