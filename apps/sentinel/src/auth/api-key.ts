import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';

/** Name of the HttpOnly cookie that `POST /auth/session` sets (browsers cannot add headers to <img src>). */
export const SESSION_COOKIE = 'sentinel_key';
export const API_KEY_HEADER = 'x-api-key';
/** File under dataDir that holds the generated key when none is configured. */
export const GENERATED_KEY_FILE = 'api-key';

const digest = (key: string): Buffer => createHash('sha256').update(key, 'utf8').digest();

/**
 * Accepted keys as SHA-256 digests: comparing equal-length digests with timingSafeEqual leaks neither
 * a key's content nor its length, and every key is compared (no early exit on the first match).
 */
export class ApiKeySet {
  private readonly digests: Buffer[];

  constructor(keys: readonly string[]) {
    if (!keys.length) throw new Error('ApiKeySet needs at least one key');
    this.digests = keys.map(digest);
  }

  matches(candidate: string | undefined): boolean {
    if (typeof candidate !== 'string' || candidate === '') return false;
    const presented = digest(candidate);
    let matched = false;
    for (const accepted of this.digests) matched = timingSafeEqual(presented, accepted) || matched;
    return matched;
  }
}

type HeaderValue = string | string[] | undefined;
const first = (value: HeaderValue): string | undefined => (Array.isArray(value) ? value[0] : value);

/** The value of one cookie in a Cookie header (no cookie library: one name, no attributes to parse). */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    try {
      return decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** The key a request presents: `x-api-key`, `Authorization: Bearer <key>` or the session cookie. */
export function presentedKey(headers: Record<string, HeaderValue>): string | undefined {
  const header = first(headers[API_KEY_HEADER]);
  if (header) return header.trim();
  const authorization = first(headers.authorization);
  const bearer = authorization && /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (bearer) return bearer[1];
  return cookieValue(first(headers.cookie), SESSION_COOKIE);
}

/** The `Set-Cookie` value of a session (HttpOnly, SameSite=Strict, Secure over HTTPS); empty key clears it. */
export function sessionCookie(key: string, secure: boolean): string {
  const attributes = ['Path=/', 'HttpOnly', 'SameSite=Strict', ...(secure ? ['Secure'] : [])];
  if (!key) return [`${SESSION_COOKIE}=`, 'Max-Age=0', ...attributes].join('; ');
  return [`${SESSION_COOKIE}=${encodeURIComponent(key)}`, ...attributes].join('; ');
}

export interface ResolvedKeys {
  keys: ApiKeySet;
  /** Where the generated key lives, when none was configured. */
  generatedFile?: string;
}

/**
 * The keys of this process: the configured ones, or the one stored in `<dataDir>/api-key` (generated at
 * first boot, mode 0600, reused later). The key itself is never logged; callers log the file's path.
 */
export function resolveApiKeys(apiKeys: readonly string[], dataDir: string): ResolvedKeys {
  if (apiKeys.length) return { keys: new ApiKeySet(apiKeys) };
  const dir = isAbsolute(dataDir) ? dataDir : resolve(dataDir);
  const file = join(dir, GENERATED_KEY_FILE);
  if (existsSync(file)) {
    const stored = readFileSync(file, 'utf8').trim();
    if (!stored) throw new Error(`${file} is empty: delete it to generate a new key, or set http.apiKeys`);
    // A key file readable by others is tightened rather than trusted as it is.
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    return { keys: new ApiKeySet([stored]), generatedFile: file };
  }
  mkdirSync(dir, { recursive: true });
  const key = randomBytes(32).toString('base64url');
  writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  return { keys: new ApiKeySet([key]), generatedFile: file };
}
