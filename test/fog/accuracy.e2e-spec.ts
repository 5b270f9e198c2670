import { describeWithSharedData, sharedPath } from '@sentinel/testing';
import { MatchCounts, NO_MATCHES, addCounts, countMatches, matchFrame, precisionRecall, readVideoFrames } from '@sentinel/evaluation';
import { PERSON_CLASS, RgbImage, YoloDetector, finishDetections } from '@sentinel/detection';
import { VTEST_HEIGHT, VTEST_WIDTH, sharedModels, vtestGroundTruth } from './fixtures';

/**
 * The check: person precision/recall of each shared model on the 20 annotated frames of
 * vtest.avi at confidence 0.3, NMS IoU 0.45, match IoU 0.5, flag-0 boxes ignored.
 */
describeWithSharedData('fog detection accuracy on vtest.avi (real models)', () => {
  const truth = vtestGroundTruth();
  const gtFrames = [...truth.keys()].sort((a, b) => a - b);
  let frames: RgbImage[] = [];
  const table: Record<string, { precision: number; recall: number; counts: MatchCounts }> = {};

  beforeAll(async () => {
    // Ground-truth frame n is decoded frame index n - 1.
    frames = await readVideoFrames(sharedPath('data', 'vtest.avi'), { width: VTEST_WIDTH, height: VTEST_HEIGHT, indices: gtFrames.map((n) => n - 1) });
  }, 60_000);

  afterAll(() => {
    console.warn(
      'person accuracy on vtest.avi (20 frames):\n' +
        Object.entries(table)
          .map(([name, r]) => `  ${name.padEnd(8)} precision ${r.precision.toFixed(3)} recall ${r.recall.toFixed(3)} (TP ${r.counts.truePositives}, FP ${r.counts.falsePositives}, ignored ${r.counts.ignored}, GT ${r.counts.positives})`)
          .join('\n'),
    );
  });

  it('decodes the 20 annotated frames', () => {
    expect(gtFrames).toHaveLength(20);
    expect(frames).toHaveLength(20);
  });

  for (const [name, model] of Object.entries(sharedModels)) {
    it(`${name}: person recall >= 0.85 and precision >= ${model.minPrecision}`, async () => {
      const detector = await YoloDetector.create({
        modelPath: sharedPath('models', model.file),
        family: model.family,
        threads: 1,
        fallbackInputSize: 640,
        confidence: 0.3,
        classes: [],
      });
      try {
        let counts: MatchCounts = NO_MATCHES;
        for (const [i, frameNumber] of gtFrames.entries()) {
          const candidates = await detector.detect(frames[i], { offsetX: 0, offsetY: 0 }, () => undefined);
          const detections = finishDetections(candidates, { nmsIou: 0.45, maxDetections: 300, frameWidth: VTEST_WIDTH, frameHeight: VTEST_HEIGHT, labels: detector.labels });
          const persons = detections.filter((d) => d.classId === PERSON_CLASS);
          counts = addCounts(counts, countMatches(matchFrame(persons, truth.get(frameNumber) ?? [])));
        }
        const pr = precisionRecall(counts);
        table[name] = { ...pr, counts };
        expect(counts.positives).toBeGreaterThan(100);
        expect(pr.recall).toBeGreaterThanOrEqual(0.85);
        expect(pr.precision).toBeGreaterThanOrEqual(model.minPrecision);
      } finally {
        await detector.dispose();
      }
    }, 120_000);
  }
});
