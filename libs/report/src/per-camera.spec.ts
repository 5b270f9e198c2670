import { CameraLogLine, cameraIdsFor, cameraReport, captureToDetection } from './per-camera';
import type { LedgerSnapshot } from './links';
import type { AccuracyResult, CoverageResult } from '@sentinel/evaluation';

const cell = (messages: number, bytes: number) => ({ sent: { messages, bytes }, received: { messages, bytes } });
const link = (byPattern: LedgerSnapshot[string]['byPattern']) => ({ sent: { messages: 0, bytes: 0 }, received: { messages: 0, bytes: 0 }, byPattern, malformed: {}, outcomes: {} });

describe('cameraIdsFor', () => {
  it('keeps the source id for one camera and numbers the copies from 2', () => {
    expect(cameraIdsFor('vtest', 1)).toEqual(['vtest']);
    expect(cameraIdsFor('vtest', 3)).toEqual(['vtest', 'vtest-2', 'vtest-3']);
  });

  it('refuses a count that is not a positive integer', () => {
    expect(() => cameraIdsFor('vtest', 0)).toThrow(RangeError);
    expect(() => cameraIdsFor('vtest', 2.5)).toThrow(RangeError);
  });
});

describe('captureToDetection', () => {
  it('takes percentiles of detectedAt - capturedAt over the lines that have both', () => {
    const lines: CameraLogLine[] = [10, 20, 30, 40, 50].map((latency, i) => ({ capturedAt: 1000 * i, detectedAt: 1000 * i + latency, detections: [], sentCrops: [] }));
    lines.push({ capturedAt: 99, detections: [], sentCrops: [] }); // an older log line without detectedAt
    expect(captureToDetection(lines)).toEqual({ count: 5, p50: 30, p95: 48 });
  });

  it('is NaN with no sample', () => {
    const none = captureToDetection([{ capturedAt: 1, detections: [], sentCrops: [] }]);
    expect(none.count).toBe(0);
    expect(none.p50).toBeNaN();
  });
});

describe('cameraReport', () => {
  const ledger: LedgerSnapshot = {
    roofToFog: link({ 'frame.changed': { cam: cell(3, 3000), 'cam-2': cell(2, 1500) }, ack: { cam: cell(3, 30) } }),
    fogToCloud: link({ 'face.crop': { cam: cell(1, 700) } }),
  };
  const lines: CameraLogLine[] = [
    { capturedAt: 0, detectedAt: 40, detections: [{ label: 'person' }, { label: 'car' }], sentCrops: [{ kind: 'face' }, { kind: 'person' }] },
    { capturedAt: 100, detectedAt: 160, detections: [{ label: 'person' }], sentCrops: [{ kind: 'face' }] },
    { capturedAt: 200, detectedAt: 220, detections: [], sentCrops: [] },
  ];

  it("adds up the camera's own lines and reads only its ledger cells", () => {
    const row = cameraReport({ cameraId: 'cam', roof: { framesDecoded: 5, framesForwarded: 3 }, ledger, lines });
    expect(row).toEqual({
      cameraId: 'cam',
      framesDecoded: 5,
      framesForwarded: 3,
      framesProcessed: 3,
      roofToFogBytes: 3000,
      fogToCloudBytes: 700,
      detections: 3,
      personDetections: 2,
      faceCrops: 2,
      captureToDetectionMs: { count: 3, p50: 40, p95: 58 },
    });
  });

  it('gives zero bytes for a camera with no cell on a link', () => {
    const row = cameraReport({ cameraId: 'cam-2', roof: { framesDecoded: 5, framesForwarded: 2 }, ledger, lines: [] });
    expect([row.roofToFogBytes, row.fogToCloudBytes, row.framesProcessed]).toEqual([1500, 0, 0]);
  });

  it('keeps accuracy without the matched pairs, and the coverage', () => {
    const accuracy = { frames: 2, framesDetected: 2, positives: 4, truePositives: 3, falsePositives: 1, ignored: 0, missedUnforwarded: 0, precision: 0.75, recall: 0.75, ap50: 0.7, pairs: [{}] } as unknown as AccuracyResult;
    const coverage: CoverageResult = { identities: 2, covered: 1, coverage: 0.5, uncoveredIds: [7] } as CoverageResult;
    const row = cameraReport({ cameraId: 'cam', roof: { framesDecoded: 5, framesForwarded: 3 }, ledger, lines, evaluation: { accuracy, coverage } });
    expect(row.accuracy).toMatchObject({ ap50: 0.7, precision: 0.75, recall: 0.75 });
    expect(row.accuracy).not.toHaveProperty('pairs');
    expect(row.coverage).toBe(coverage);
  });
});
