import type { SourceKind } from '@sentinel/config';
import type { PixelFormat } from '@sentinel/contracts';

export type ResolvedSourceKind = Exclude<SourceKind, 'auto'>;

const STREAM_URL = /^(rtsps?|rtmps?|https?|udp|tcp|srt|rtp|mms[th]?):\/\//i;
const LAVFI_PREFIX = 'lavfi:';

/** What a camera's source is: `auto` guesses from its spelling. */
export function resolveSourceKind(source: string, kind: SourceKind = 'auto'): ResolvedSourceKind {
  if (kind !== 'auto') return kind;
  if (source.startsWith(LAVFI_PREFIX)) return 'lavfi';
  // Any scheme://... is a URL for ffmpeg's protocols; an unknown one fails with "Protocol not found".
  if (STREAM_URL.test(source) || /^[a-z][a-z0-9+.-]*:\/\//i.test(source)) return 'stream';
  if (/^\/dev\/video\d+$/.test(source)) return 'device';
  return 'file';
}

/** Live sources never end by themselves: an end is a drop, answered by a reconnect. */
export function isLiveKind(kind: ResolvedSourceKind): boolean {
  return kind === 'stream' || kind === 'device';
}

export interface DecodeRequest {
  source: string;
  kind: ResolvedSourceKind;
  /** Output frame rate; unset keeps the source's. */
  fps?: number;
  width?: number;
  height?: number;
  /** Files and lavfi: real-time reading (-re). */
  pace: boolean;
  /** Files: -stream_loop -1. */
  loop: boolean;
  /** Files: start this many seconds in (resuming after a crash). */
  startSeconds?: number;
  /** Drop frames the decoder reports as damaged instead of passing concealed garbage on. */
  skipCorrupt: boolean;
  extraInputOptions?: readonly string[];
  /** The raw frames' layout: rgb24 (the default) or yuv420p (policy `video`: no colour conversion on the way to the encoder). */
  pixelFormat?: PixelFormat;
}

export interface FfmpegInvocation {
  input: string;
  inputOptions: string[];
  outputOptions: string[];
}

/**
 * ffmpeg arguments that decode a source to raw frames of `pixelFormat` (rgb24 unless asked, see
 * frameBytes; no container). `-vsync passthrough` keeps ffmpeg from duplicating frames to fill gaps
 * (a skipped corrupt frame stays skipped).
 */
export function buildInvocation(request: DecodeRequest): FfmpegInvocation {
  const inputOptions: string[] = ['-hide_banner', '-nostats', '-nostdin'];
  let input = request.source;
  if (request.skipCorrupt) inputOptions.push('-err_detect', 'crccheck+bitstream+buffer+explode');
  switch (request.kind) {
    case 'file':
      if (request.pace) inputOptions.push('-re');
      if (request.loop) inputOptions.push('-stream_loop', '-1');
      if (request.startSeconds && request.startSeconds > 0) inputOptions.push('-ss', request.startSeconds.toFixed(3));
      break;
    case 'lavfi':
      if (request.pace) inputOptions.push('-re');
      inputOptions.push('-f', 'lavfi');
      if (input.startsWith(LAVFI_PREFIX)) input = input.slice(LAVFI_PREFIX.length);
      break;
    case 'stream':
      if (/^rtsps?:/i.test(input)) inputOptions.push('-rtsp_transport', 'tcp');
      break;
    case 'device':
      inputOptions.push('-f', 'v4l2');
      break;
  }
  if (request.extraInputOptions) inputOptions.push(...request.extraInputOptions);

  const filters: string[] = [];
  if (request.fps) filters.push(`fps=${request.fps}`);
  if (request.width || request.height) filters.push(`scale=${request.width ?? -2}:${request.height ?? -2}`);
  const outputOptions = ['-an', '-sn', '-dn', '-map', '0:v:0'];
  if (filters.length) outputOptions.push('-vf', filters.join(','));
  outputOptions.push('-vsync', 'passthrough', '-f', 'rawvideo', '-pix_fmt', request.pixelFormat ?? 'rgb24');
  return { input, inputOptions, outputOptions };
}

export interface OutputFormat {
  width: number;
  height: number;
  /** Frames per second ffmpeg announces for the output (NaN when it does not say). */
  fps: number;
  pixelFormat: PixelFormat;
}

/** Reads the output stream's layout, size and rate from ffmpeg's stderr line `Stream #0:0: Video: rawvideo ..., rgb24, 768x576, ..., 10 fps`. */
export function parseOutputFormat(line: string): OutputFormat | undefined {
  const size = /Video: rawvideo.*?(rgb24|yuv420p)[^,]*, (\d+)x(\d+)/.exec(line);
  if (!size) return undefined;
  const rate = /(\d+(?:\.\d+)?) (?:fps|tbr)/.exec(line);
  return { width: Number(size[2]), height: Number(size[3]), fps: rate ? Number(rate[1]) : Number.NaN, pixelFormat: size[1] as PixelFormat };
}

/** One ffmpeg stderr line telling that a packet could not be decoded (the frame is skipped). */
export function isDecodeErrorLine(line: string): boolean {
  return /^Error while decoding stream/.test(line);
}

const PERMANENT_ERRORS = [
  /No such file or directory/i,
  /Protocol not found/i,
  /Invalid data found when processing input/i,
  /Unknown input format/i,
  /does not contain any stream/i,
  /Output file #0 does not contain any stream/i,
  /Permission denied/i,
  /Server returned 4\d\d/i,
  /Invalid argument/i,
  /Option not found/i,
  /Error (?:initializing|reinitializing) filters?/i,
  /No such filter/i,
  /spawn \S+ ENOENT/i,
  /spawn \S+ EACCES/i,
  /Cannot find ffmpeg/i,
];

/** Errors that a retry will not cure (missing file, bad URL or option): the camera fails instead of reconnecting. */
export function isPermanentError(message: string): boolean {
  return PERMANENT_ERRORS.some((pattern) => pattern.test(message));
}
