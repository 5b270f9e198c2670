import { SentinelConfig, mergeConfigSources, validateConfig } from '@sentinel/config';
import { USAGE, cameraIdOfSource, parseCli } from './cli';

/**
 * The validated configuration a command line asks for, or undefined after printing --help.
 * Throws CliError or ConfigError (exit code 2 in main).
 */
export function configFromArgv(argv: readonly string[], environment: NodeJS.ProcessEnv = process.env): SentinelConfig | undefined {
  const cli = parseCli(argv);
  if (cli.help) {
    process.stdout.write(`${USAGE}\n`);
    return undefined;
  }
  const sets = [...cli.sets];
  if (cli.tier) sets.push(`tier=${cli.tier}`);
  if (cli.port) sets.push(`http.port=${cli.port}`);
  const env = { ...environment };
  if (env.FFMPEG_PATH && !env.SENTINEL_ROOF__FFMPEGPATH) env.SENTINEL_ROOF__FFMPEGPATH = env.FFMPEG_PATH;
  const plain = mergeConfigSources({ file: cli.configFile, env, sets });
  if (cli.sources.length) {
    const roof = (plain.roof ??= {}) as { cameras?: unknown[] };
    roof.cameras = [
      ...(roof.cameras ?? []),
      ...cli.sources.map((source, index) => ({ id: cameraIdOfSource(source, index), source })),
    ];
  }
  return validateConfig(plain);
}
