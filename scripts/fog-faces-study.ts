/**
 * npm run build && node dist/scripts/fog-faces-study.js [--frames=200]
 *
 * What the fog's face search and person-change rules do on real pictures, in one process:
 * - vtest.avi (YOLOX-Nano): tracks started, tracks reset by scene or appearance change, crops sent,
 *   with the rules on and off (appearance change is the risky one: it may split a walking person);
 * - messi5.jpg shown for 50 frames (people tall enough for face searches): face searches per frame
 *   and the face-crop stage's time per frame (median, p95, max), which faces.searchEveryFrames and
 *   crops.maxSearchesPerFrame bound.
 */
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { loadConfig } from '@sentinel/config';
import { FaceCropMessage, FrameMessage, Patterns, SCHEMA_VERSION } from '@sentinel/contracts';
import { FogPipeline, FogStats, HumanFaceFinder, YoloDetector } from '@sentinel/detection';
import { readVideoFrames } from '@sentinel/evaluation';
import { sharedPath } from '@sentinel/testing';
import { EmitOutcome, LinkEmitter } from '@sentinel/transport';

class KeepingLinks extends LinkEmitter {
  readonly crops: FaceCropMessage[] = [];
  async emit(pattern: string, message: object): Promise<EmitOutcome> {
    if (pattern === Patterns.FaceCrop) this.crops.push(message as FaceCropMessage);
    return 'delivered';
  }
}

const pct = (v: number[], p: number) => [...v].sort((a, b) => a - b)[Math.min(v.length - 1, Math.floor(p * v.length))];

async function run(label: string, sets: string[], jpegs: Buffer[], width: number, height: number): Promise<void> {
  const config = loadConfig({ sets: [`fog.modelPath=${sharedPath('models', 'yolox_nano_416.onnx')}`, 'fog.family=yolox', ...sets] }).fog;
  const detector = await YoloDetector.create({ modelPath: config.modelPath!, family: 'yolox', threads: 1, fallbackInputSize: 640, confidence: config.confidence, classes: config.classes, alsoByDefault: config.suspicious.classes, alwaysKeep: [0] });
  const links = new KeepingLinks();
  const stats = new FogStats();
  let faceMs = 0;
  const pipeline = new FogPipeline({ config, detector, faces: new HumanFaceFinder(config.crops.minFaceScore), links, stats, recordStage: (stage, ms) => stage === 'face-crop' && (faceMs = ms) });
  const perFrame: number[] = [];
  const searchesPerFrame: number[] = [];
  for (const [seq, jpeg] of jpegs.entries()) {
    const before = stats.snapshot().faceSearches;
    await pipeline.handle(Object.assign(new FrameMessage(), { v: SCHEMA_VERSION, cameraId: 'study', seq, capturedAt: 1_700_000_000_000 + seq * 100, width, height, kind: 'frame' as const, changeScore: 1, jpeg }));
    perFrame.push(faceMs);
    searchesPerFrame.push(stats.snapshot().faceSearches - before);
  }
  const s = stats.snapshot();
  const faces = links.crops.filter((c) => c.kind === 'face');
  const searched = perFrame.filter((_, i) => searchesPerFrame[i] > 0);
  console.log(
    `${label}: ${jpegs.length} frames, tracks started ${s.tracksStarted}, reset by scene ${s.tracksReset['scene-change']} / appearance ${s.tracksReset['appearance-change']}, ` +
      `crops ${links.crops.length} (faces ${faces.length}), faces too small ${s.facesTooSmall}, face searches ${s.faceSearches} (max ${Math.max(...searchesPerFrame)} per frame)`,
  );
  console.log(
    `  face-crop stage ms per frame: p50 ${pct(perFrame, 0.5).toFixed(1)}, p95 ${pct(perFrame, 0.95).toFixed(1)}, max ${Math.max(...perFrame).toFixed(1)}, mean ${(perFrame.reduce((a, b) => a + b, 0) / perFrame.length).toFixed(1)}` +
      (searched.length ? `; on frames with a search: p50 ${pct(searched, 0.5).toFixed(1)}, max ${Math.max(...searched).toFixed(1)}` : ''),
  );
  console.log(`  detections by class: ${JSON.stringify(s.detectionsByClass)}`);
  if (faces.length) console.log(`  face qualities sent: ${faces.map((f) => `#${f.trackId} ${f.quality?.score.toFixed(2)} (${f.quality?.size.toFixed(0)} px, seen ${f.facesSeen})`).join(', ')}`);
  await detector.dispose();
}

async function main(): Promise<void> {
  const count = Number(process.argv.find((a) => a.startsWith('--frames='))?.split('=')[1] ?? 200);
  const frames = await readVideoFrames(sharedPath('data', 'vtest.avi'), { width: 768, height: 576, count });
  const jpegs = await Promise.all(frames.map((f) => sharp(f.data, { raw: { width: 768, height: 576, channels: 3 } }).jpeg({ quality: 80 }).toBuffer()));
  await run('vtest, rules on', [], jpegs, 768, 576);
  await run('vtest, appearance rule off', ['fog.faces.appearanceMinOverlap=0'], jpegs, 768, 576);
  await run('vtest, every class (fog.classes=[])', ['fog.classes=[]'], jpegs, 768, 576);
  const messi = readFileSync(sharedPath('data', 'messi5.jpg'));
  const meta = await sharp(messi).metadata();
  await run('messi5.jpg x50', [], Array.from({ length: 50 }, () => messi), meta.width!, meta.height!);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
