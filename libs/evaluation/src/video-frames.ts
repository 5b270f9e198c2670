import { spawn } from 'node:child_process';
import type { RgbImage } from '@sentinel/detection';
import { resolveFfmpegPath } from '@sentinel/frame-change';

export interface VideoFramesOptions {
  width: number;
  height: number;
  /** 0-based indices of the decoded frames wanted (sorted or not); omitted: the first `count`. */
  indices?: readonly number[];
  count?: number;
}

/**
 * Decodes frames of a video with ffmpeg to RGB (test and bench tooling: the fog itself receives
 * JPEGs). Frames are selected inside ffmpeg (`select` filter) so only the wanted ones cross the pipe.
 */
export function readVideoFrames(path: string, options: VideoFramesOptions): Promise<RgbImage[]> {
  const frameBytes = options.width * options.height * 3;
  const args = ['-v', 'error', '-i', path];
  if (options.indices) {
    const wanted = [...options.indices].sort((a, b) => a - b);
    args.push('-vf', `select='${wanted.map((i) => `eq(n\\,${i})`).join('+')}'`, '-vsync', '0');
  } else if (options.count) {
    args.push('-frames:v', String(options.count));
  }
  args.push('-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1');
  return new Promise((resolve, reject) => {
    const child = spawn(resolveFfmpegPath(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`ffmpeg exited with ${code}: ${stderr.trim()}`));
      const all = Buffer.concat(chunks);
      if (all.length % frameBytes !== 0) return reject(new Error(`ffmpeg gave ${all.length} bytes, not a multiple of ${frameBytes}`));
      const frames: RgbImage[] = [];
      for (let offset = 0; offset < all.length; offset += frameBytes) {
        frames.push({ data: all.subarray(offset, offset + frameBytes), width: options.width, height: options.height, channels: 3 });
      }
      resolve(frames);
    });
  });
}
