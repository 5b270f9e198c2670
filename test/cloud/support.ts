import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamicModule, Global, INestApplication, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AlertMessage, FaceCropMessage, IdentityMessage, Pattern, Patterns, SCHEMA_VERSION } from '@sentinel/contracts';
import { SentinelConfig, SentinelConfigModule, loadConfig } from '@sentinel/config';
import { FaceRecognitionModule } from '@sentinel/face-recognition';
import { TelemetryModule } from '@sentinel/telemetry';
import { sharedPath } from '@sentinel/testing';
import { EmitOutcome, LinkEmitter } from '@sentinel/transport';
import sharp from 'sharp';

/** Records what a module sends instead of carrying it anywhere. */
export class RecordingLinkEmitter extends LinkEmitter {
  readonly sent: { pattern: Pattern; message: object }[] = [];

  async emit(pattern: Pattern, message: object): Promise<EmitOutcome> {
    this.sent.push({ pattern, message });
    return 'delivered';
  }

  identities(): IdentityMessage[] {
    return this.sent.filter((s) => s.pattern === Patterns.Identity).map((s) => s.message as IdentityMessage);
  }

  alerts(): AlertMessage[] {
    return this.sent.filter((s) => s.pattern === Patterns.Alert).map((s) => s.message as AlertMessage);
  }

  clear(): void {
    this.sent.length = 0;
  }
}

@Global()
@Module({})
class RecordingLinkModule {
  static forRoot(emitter: LinkEmitter): DynamicModule {
    return { module: RecordingLinkModule, providers: [{ provide: LinkEmitter, useValue: emitter }], exports: [LinkEmitter] };
  }
}

export interface CloudTestApp {
  app: INestApplication;
  links: RecordingLinkEmitter;
  config: SentinelConfig;
  close(): Promise<void>;
}

/** A temporary data folder, removed by the returned function. */
export function tempDataDir(prefix = 'cloud-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The cloud module in a real Nest app (real Human, real SQLite under `dataDir`), links recorded. */
export async function createCloudTestApp(dataDir: string, sets: string[] = []): Promise<CloudTestApp> {
  const config = loadConfig({ sets: [`dataDir=${dataDir}`, ...sets] });
  const links = new RecordingLinkEmitter();
  const moduleRef = await Test.createTestingModule({
    imports: [SentinelConfigModule.forRoot(config), TelemetryModule, RecordingLinkModule.forRoot(links), FaceRecognitionModule],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: ['error'] });
  await app.init();
  return { app, links, config, close: () => app.close() };
}

export const facePath = (person: string, n: number): string => sharedPath('data', 'faces', person, `${person}${n}.png`);
export const faceImage = (person: string, n: number): Promise<Buffer> => readFile(facePath(person, n));

/** The face as the fog would send it: a JPEG crop. */
export async function faceJpeg(person: string, n: number): Promise<Buffer> {
  return sharp(await faceImage(person, n)).jpeg({ quality: 85 }).toBuffer();
}

/**
 * The face as a fog crop of a slow zoom: the central `zoom` share of the image (1 = all of it),
 * scaled back to the original size, as JPEG.
 */
export async function faceZoomJpeg(person: string, n: number, zoom: number): Promise<Buffer> {
  const image = await faceImage(person, n);
  const { width = 150, height = 150 } = await sharp(image).metadata();
  const w = Math.round(width * zoom);
  const h = Math.round(height * zoom);
  return sharp(image)
    .extract({ left: Math.floor((width - w) / 2), top: Math.floor((height - h) / 2), width: w, height: h })
    .resize(width, height)
    .jpeg({ quality: 85 })
    .toBuffer();
}

/** Two faces side by side on a grey canvas (an enrollment image with several faces). */
export async function twoFacesImage(): Promise<Buffer> {
  const [a, b] = await Promise.all([faceImage('amy', 1), faceImage('raj', 1)]);
  return sharp({ create: { width: 420, height: 240, channels: 3, background: '#808080' } })
    .composite([
      { input: a, left: 40, top: 45 },
      { input: b, left: 230, top: 45 },
    ])
    .jpeg()
    .toBuffer();
}

/** A real JPEG without any face (a smooth gradient). */
export async function noFaceImage(): Promise<Buffer> {
  const width = 200;
  const height = 160;
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) pixels.fill(Math.round((x / width) * 200), (y * width + x) * 3, (y * width + x) * 3 + 3);
  return sharp(pixels, { raw: { width, height, channels: 3 } }).jpeg().toBuffer();
}

let seq = 0;

/** A FaceCropMessage as the fog sends it (class instance, as the link layer delivers it). */
export function cropMessage(jpeg: Buffer, cameraId: string, trackId: number, kind: 'face' | 'person' = 'face'): FaceCropMessage {
  return Object.assign(new FaceCropMessage(), {
    v: SCHEMA_VERSION,
    cameraId,
    capturedAt: Date.now(),
    seq: seq++,
    trackId,
    kind,
    jpeg,
    personBox: { x: 100, y: 50, width: 150, height: 300 },
    ...(kind === 'face' ? { faceBox: { x: 120, y: 60, width: 100, height: 100 }, faceScore: 0.9 } : {}),
    personScore: 0.8,
  });
}
