import { basename, extname } from 'node:path';

export interface CliOptions {
  help: boolean;
  tier?: string;
  configFile?: string;
  sets: string[];
  port?: string;
  sources: string[];
}

export const USAGE = `edge-sentinel: smart-surveillance AI split over roof, fog and cloud tiers

Usage: node dist/main [options]

Options:
  --tier=all|roof|fog|cloud   which tier this process runs (default: all, every module in one process)
  --config FILE               YAML configuration (default: embedded defaults; see config/*.yaml)
  --set key.path=value        override one configuration value (repeatable), e.g. --set links.roofToFog.transport=tcp
  --port N                    HTTP port (same as --set http.port=N; default 3000, 0 picks a free port)
  --source FILE|URL           add a camera reading this file or stream (repeatable)
  -h, --help                  show this help

Environment: SENTINEL_<KEY>__<SUB>=value sets key.sub (e.g. SENTINEL_HTTP__PORT=8080); FFMPEG_PATH picks the ffmpeg binary.
Precedence: --set and flags > environment > --config file > defaults. A bad configuration exits with code 2.`;

export class CliError extends Error {}

const VALUE_FLAGS = new Set(['--tier', '--config', '--set', '--port', '--source']);

/** Parses argv (without node and script). Accepts `--flag value` and `--flag=value`. */
export function parseCli(argv: readonly string[]): CliOptions {
  const options: CliOptions = { help: false, sets: [], sources: [] };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') {
      options.help = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    if (!VALUE_FLAGS.has(flag)) throw new CliError(`unknown argument ${JSON.stringify(arg)} (see --help)`);
    let value: string | undefined = eq > 0 && arg.startsWith('--') ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value === '') throw new CliError(`${flag} needs a value`);
    value = value.trim();
    switch (flag) {
      case '--tier': options.tier = value; break;
      case '--config': options.configFile = value; break;
      case '--set': options.sets.push(value); break;
      case '--port': options.port = value; break;
      case '--source': options.sources.push(value); break;
    }
  }
  return options;
}

/** A camera id from a source: the file name or the URL's host and path, in the id alphabet. */
export function cameraIdOfSource(source: string, index: number): string {
  let base: string;
  try {
    const url = new URL(source);
    const path = decodeURIComponent(url.pathname);
    base = url.protocol === 'file:' ? basename(path, extname(path)) : `${url.hostname}${path}`;
  } catch {
    base = basename(source, extname(source));
  }
  const id = base.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 56) || 'camera';
  return index === 0 ? id : `${id}-${index + 1}`;
}
