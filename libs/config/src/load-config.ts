import { readFileSync } from 'node:fs';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { parse as parseYaml } from 'yaml';
import { describeValidationErrors } from '@sentinel/contracts';
import { placementErrors } from './placement';
import { SentinelConfig } from './sentinel.config';

/** Thrown when the configuration is invalid; `problems` lists every bad key. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface ConfigSources {
  /** YAML file; absent means embedded defaults only. */
  file?: string;
  /** `key.path=value` overrides (values parsed as YAML scalars/flow collections). */
  sets?: string[];
  /** Environment; `SENTINEL_A__B=value` sets `a.b` (keys matched case-insensitively). */
  env?: NodeJS.ProcessEnv;
}

type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses a YAML value as written on a command line: `8` is a number, `[a, b]` a list, `x` a string. */
function parseScalar(raw: string): unknown {
  try {
    return parseYaml(raw);
  } catch {
    return raw;
  }
}

function deepMerge(target: Plain, source: Plain): Plain {
  for (const [key, value] of Object.entries(source)) {
    target[key] = isPlain(value) && isPlain(target[key]) ? deepMerge({ ...(target[key] as Plain) }, value) : value;
  }
  return target;
}

/** Sets `path` in `target`, matching each segment case-insensitively to an existing or default key. */
function setPath(target: Plain, defaults: unknown, path: string[], value: unknown): void {
  let node = target;
  let shape: unknown = defaults;
  path.forEach((segment, index) => {
    const candidates = [...Object.keys(node), ...(isPlain(shape) ? Object.keys(shape) : [])];
    const key = candidates.find((k) => k.toLowerCase() === segment.toLowerCase()) ?? segment;
    shape = isPlain(shape) ? shape[key] : undefined;
    if (index === path.length - 1) {
      node[key] = value;
      return;
    }
    if (!isPlain(node[key])) node[key] = {};
    node = node[key] as Plain;
  });
}

function readYamlFile(file: string): Plain {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError([`--config ${file}: cannot read (${(error as Error).message})`]);
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    throw new ConfigError([`--config ${file}: not valid YAML (${(error as Error).message})`]);
  }
  if (parsed == null) return {};
  if (!isPlain(parsed)) throw new ConfigError([`--config ${file}: the top level must be a mapping`]);
  return parsed;
}

/** The merged plain object: file, then environment, then `--set`, later ones winning. */
export function mergeConfigSources(sources: ConfigSources): Plain {
  const defaults = JSON.parse(JSON.stringify(new SentinelConfig())) as Plain;
  const merged = sources.file ? readYamlFile(sources.file) : {};
  const problems: string[] = [];
  for (const [name, raw] of Object.entries(sources.env ?? {})) {
    if (!name.startsWith('SENTINEL_') || raw === undefined) continue;
    const path = name.slice('SENTINEL_'.length).split('__').filter(Boolean);
    if (path.length) setPath(merged, defaults, path, parseScalar(raw));
  }
  for (const assignment of sources.sets ?? []) {
    const eq = assignment.indexOf('=');
    if (eq <= 0) {
      problems.push(`--set ${assignment}: expected key.path=value`);
      continue;
    }
    setPath(merged, defaults, assignment.slice(0, eq).split('.'), parseScalar(assignment.slice(eq + 1)));
  }
  if (problems.length) throw new ConfigError(problems);
  return merged;
}

/** Validates a plain configuration object; throws ConfigError listing every problem. */
export function validateConfig(plain: Plain): SentinelConfig {
  const config = plainToInstance(SentinelConfig, deepMerge({}, plain), { exposeDefaultValues: true });
  const errors = validateSync(config, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true, stopAtFirstError: true });
  const problems = describeValidationErrors(errors).map((line) =>
    line.replace(/: property \S+ should not exist$/, ': unknown key'),
  );
  if (!problems.length) problems.push(...placementErrors(config));
  if (problems.length) throw new ConfigError(problems);
  return config;
}

export function loadConfig(sources: ConfigSources): SentinelConfig {
  return validateConfig(mergeConfigSources(sources));
}
