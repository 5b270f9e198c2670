import installer from '@ffmpeg-installer/ffmpeg';

/** The ffmpeg binary to run: the override (config `roof.ffmpegPath`, from FFMPEG_PATH) or the bundled one. */
export function resolveFfmpegPath(override?: string): string {
  return override && override.length > 0 ? override : installer.path;
}
