import { Global, Module } from '@nestjs/common';
import { Test, TestingModule } from '@nestjs/testing';
import sharp from 'sharp';
import { SentinelConfigModule, loadConfig } from '@sentinel/config';
import { FrameMessage, Pattern, SCHEMA_VERSION } from '@sentinel/contracts';
import { JpegEncoder } from '@sentinel/frame-change';
import { TelemetryModule } from '@sentinel/telemetry';
import { EmitOptions, EmitOutcome, LinkEmitter } from '@sentinel/transport';
import { DetectionModule, RgbImage } from '@sentinel/detection';

/** A LinkEmitter that keeps everything it is asked to send (and delivers it). */
export class RecordingLinks extends LinkEmitter {
  readonly sent: { pattern: Pattern; message: object; options?: EmitOptions }[] = [];
  async emit(pattern: Pattern, message: object, options?: EmitOptions): Promise<EmitOutcome> {
    this.sent.push({ pattern, message, options });
    return 'delivered';
  }
  of<T>(pattern: Pattern): T[] {
    return this.sent.filter((s) => s.pattern === pattern).map((s) => s.message as T);
  }
}

export async function bootFog(sets: string[]): Promise<{ moduleRef: TestingModule; links: RecordingLinks }> {
  const links = new RecordingLinks();
  @Global()
  @Module({ providers: [{ provide: LinkEmitter, useValue: links }], exports: [LinkEmitter] })
  class LinksModule {}
  const moduleRef = await Test.createTestingModule({
    imports: [SentinelConfigModule.forRoot(loadConfig({ sets })), TelemetryModule, LinksModule, DetectionModule],
  }).compile();
  return { moduleRef, links };
}

export async function toJpeg(image: RgbImage, quality = 90): Promise<Buffer> {
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } }).jpeg({ quality }).toBuffer();
}

export function frameMessage(cameraId: string, seq: number, jpeg: Uint8Array, width: number, height: number, capturedAt = 1_700_000_000_000 + seq * 100): FrameMessage {
  return Object.assign(new FrameMessage(), { v: SCHEMA_VERSION, cameraId, seq, capturedAt, width, height, kind: 'frame' as const, changeScore: 0.1, jpeg });
}

export async function regionsMessage(
  cameraId: string,
  seq: number,
  image: RgbImage,
  rects: { x: number; y: number; width: number; height: number }[],
  capturedAt = 1_700_000_000_000 + seq * 100,
  baseSeq?: number,
): Promise<FrameMessage> {
  // The roof's own encoder: the regions packed into one JPEG atlas.
  const atlas = await new JpegEncoder(90).encodeRegions(image.data, image.width, rects);
  if (!atlas) throw new Error('regions do not fit an atlas');
  const { jpeg, regions } = atlas;
  return Object.assign(new FrameMessage(), { v: SCHEMA_VERSION, cameraId, seq, capturedAt, width: image.width, height: image.height, kind: 'regions' as const, changeScore: 0.1, jpeg, regions, ...(baseSeq === undefined ? {} : { baseSeq }) });
}
