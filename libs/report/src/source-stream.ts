import type { BandwidthRates } from './formula';

/**
 * The camera's own stream: what forwarding the source file as it is (restreaming, no re-encode)
 * would put on the roof→fog link, its bytes scaled to the part of the file the run covered.
 */
export interface SourceStream {
  path: string;
  /** Size of the whole file and its duration (ffmpeg's header; absent when it gives none). */
  fileBytes: number;
  fileSeconds?: number;
  /** Seconds of video the run covered, and the file's bytes scaled to them. */
  runSeconds: number;
  bytes: number;
  bytesPerSecond: number;
}

/** The file's bytes for `runSeconds` of it: all of them when the run covered the file (or its duration is unknown). */
export function sourceStream(path: string, fileBytes: number, fileSeconds: number | undefined, runSeconds: number): SourceStream {
  const share = fileSeconds && fileSeconds > 0 ? Math.min(1, runSeconds / fileSeconds) : 1;
  const bytes = fileBytes * share;
  const seconds = fileSeconds && fileSeconds > 0 ? Math.min(fileSeconds, runSeconds) : runSeconds;
  return { path, fileBytes, ...(fileSeconds ? { fileSeconds } : {}), runSeconds, bytes, bytesPerSecond: seconds > 0 ? bytes / seconds : 0 };
}

/** The duration ffmpeg prints for an input (`Duration: 00:01:19.50,`), in seconds. */
export function parseFfmpegDuration(stderr: string): number | undefined {
  const match = /Duration:\s*(\d+):(\d{2}):(\d{2}(?:\.\d+)?)/.exec(stderr);
  if (!match) return undefined;
  const seconds = Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3]);
  return seconds > 0 ? seconds : undefined;
}

/** The chart's group for the camera's own stream: its bytes as roof→fog beside the run's raw JPEG, no fog→cloud bar. */
export function sourceStreamRates(stream: SourceStream, rawPerSecond: number): BandwidthRates {
  return { raw: rawPerSecond, roofToFog: stream.bytesPerSecond, fogToCloud: Number.NaN };
}
