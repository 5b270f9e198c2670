/**
 * Every call of the page to the product's API. The key travels as the HttpOnly session cookie that
 * POST /auth/session sets (same origin), so images and MJPEG streams carry it too.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body?: unknown,
  ) {
    super(message);
  }
}

type Listener = () => void;
const unauthorizedListeners: Listener[] = [];

/** Called whenever the API answers 401 (session missing, expired or revoked). */
export function onUnauthorized(listener: Listener): void {
  unauthorizedListeners.push(listener);
}

/** The API's own words: Nest's `message` (a string or a list of validation messages). */
export function errorMessage(status: number, body: unknown, fallback: string): string {
  if (body && typeof body === 'object' && 'message' in body) {
    const message = (body as { message: unknown }).message;
    if (Array.isArray(message)) return message.join('; ');
    if (typeof message === 'string' && message) return message;
  }
  if (status === 413) return 'the file is too big for this server';
  return fallback;
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, credentials: 'same-origin', headers: {} };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { 'Content-Type': 'application/json' };
  }
  let response: Response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    throw new ApiError(0, `the server cannot be reached (${String(error)})`);
  }
  const parsed = await readBody(response);
  if (response.status === 401) unauthorizedListeners.forEach((listener) => listener());
  if (!response.ok) throw new ApiError(response.status, errorMessage(response.status, parsed, `${method} ${path}: HTTP ${response.status}`), parsed);
  return parsed as T;
}

export const api = {
  get: <T>(path: string) => call<T>('GET', path),
  post: <T>(path: string, body?: unknown) => call<T>('POST', path, body),
  patch: <T>(path: string, body?: unknown) => call<T>('PATCH', path, body),
  del: <T>(path: string) => call<T>('DELETE', path),
};

/** Opens a session with the key; false when the server refuses it. */
export async function login(key: string): Promise<boolean> {
  const response = await fetch('/auth/session', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ key }),
  });
  if (response.ok) return true;
  if (response.status === 401 || response.status === 403) return false;
  throw new ApiError(response.status, errorMessage(response.status, await readBody(response), `login failed: HTTP ${response.status}`));
}

export async function logout(): Promise<void> {
  await fetch('/auth/session', { method: 'DELETE', credentials: 'same-origin' });
}

/** Query string of the set values only. */
export function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}
