import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { loadConfig } from '@sentinel/config';
import { FaceCropMessage, Patterns, validateContract } from '@sentinel/contracts';
import { describeWithSharedData, sharedPath } from '@sentinel/testing';
import { FogPipeline, FogStats, HumanFaceFinder, YoloDetector } from '@sentinel/detection';
import { RecordingLinks, frameMessage } from './support';

const WIDTH = 640;
const HEIGHT = 480;
const PEOPLE = ['amy', 'howard', 'penny'];
const FRAMES_PER_PERSON = 12;

/** One frame of a slow zoom on a face of ../shared/data/faces (greyscale, full frame height or so). */
async function zoomFrame(person: string, step: number): Promise<Buffer> {
  const side = 300 + step * 8;
  const face = await sharp(readFileSync(sharedPath('data', 'faces', person, `${person}1.png`))).resize(side, side).toColourspace('srgb').png().toBuffer();
  return sharp({ create: { width: WIDTH, height: HEIGHT, channels: 3, background: { r: 120, g: 120, b: 120 } } })
    .composite([{ input: face, left: Math.round((WIDTH - side) / 2), top: Math.max(0, Math.round((HEIGHT - side) / 2)) }])
    .jpeg({ quality: 90 })
    .toBuffer();
}

describeWithSharedData('fog face search over a video of people shown in turn (real YOLOX-Nano and Human)', () => {
  it('gives each person its own track (the cut between them ends the last one) and a scored face crop', async () => {
    const config = loadConfig({ sets: [`fog.modelPath=${sharedPath('models', 'yolox_nano_416.onnx')}`, 'fog.family=yolox'] }).fog;
    const detector = await YoloDetector.create({ modelPath: config.modelPath!, family: 'yolox', threads: 1, fallbackInputSize: 640, confidence: config.confidence, classes: config.classes, alwaysKeep: [0] });
    const faces = new HumanFaceFinder(config.crops.minFaceScore);
    await faces.warmUp();
    const links = new RecordingLinks();
    const stats = new FogStats();
    const pipeline = new FogPipeline({ config, detector, faces, links, stats, recordStage: () => undefined });
    const personOfTrack = new Map<number, Set<string>>();
    try {
      let seq = 0;
      for (const person of PEOPLE) {
        for (let step = 0; step < FRAMES_PER_PERSON; step++, seq++) {
          const outcome = await pipeline.handle(frameMessage('faces', seq, await zoomFrame(person, step), WIDTH, HEIGHT));
          for (const d of outcome.detections.filter((x) => x.label === 'person')) personOfTrack.set(d.trackId, (personOfTrack.get(d.trackId) ?? new Set()).add(person));
        }
      }
      // No track spans two people: every cut ended the tracks before it.
      for (const people of personOfTrack.values()) expect(people.size).toBe(1);
      expect(stats.snapshot().tracksReset['scene-change']).toBeGreaterThanOrEqual(PEOPLE.length - 1);
      const crops = links.of<FaceCropMessage>(Patterns.FaceCrop).filter((c) => c.kind === 'face');
      const personOfCrop = (c: FaceCropMessage) => [...personOfTrack.get(c.trackId)!][0];
      expect(new Set(crops.map(personOfCrop))).toEqual(new Set(PEOPLE));
      for (const crop of crops) {
        expect(validateContract(Patterns.FaceCrop, crop).ok).toBe(true);
        expect(crop.quality!.size).toBeGreaterThanOrEqual(config.faces.minFaceSize);
        expect(crop.quality!.score).toBeGreaterThan(0);
        expect(crop.facesSeen).toBeGreaterThanOrEqual(1);
      }
      // Within the per-track budget, and a later crop of a track only when clearly better.
      const byTrack = new Map<number, FaceCropMessage[]>();
      for (const c of crops) byTrack.set(c.trackId, [...(byTrack.get(c.trackId) ?? []), c]);
      for (const list of byTrack.values()) {
        expect(list.length).toBeLessThanOrEqual(config.crops.maxPerTrack);
        for (let i = 1; i < list.length; i++) expect(list[i].quality!.score).toBeGreaterThanOrEqual(list[i - 1].quality!.score * config.crops.betterFactor - 1e-3);
      }
      // Kept looking: more searches than tracks (a search every faces.searchEveryFrames frames), at most one per frame.
      expect(stats.snapshot().faceSearches).toBeGreaterThan(personOfTrack.size);
      expect(stats.snapshot().faceSearches).toBeLessThanOrEqual(PEOPLE.length * FRAMES_PER_PERSON);
    } finally {
      await pipeline.idle();
      await detector.dispose();
    }
  }, 120_000);
});
