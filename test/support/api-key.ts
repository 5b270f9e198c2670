import request from 'supertest';

/**
 * The API key every test process and in-process app runs with (auth stays on in e2e tests): spawned
 * processes get it through the environment (startProcess), in-process apps through TEST_KEY_SETS.
 */
export const TEST_API_KEY = 'e2e-test-key-0123456789abcdef';
export const TEST_KEY_HEADERS: Readonly<Record<string, string>> = { 'x-api-key': TEST_API_KEY };
/** `--set` values of a configuration that accepts TEST_API_KEY. */
export const TEST_KEY_SETS: readonly string[] = [`http.apiKeys=[${TEST_API_KEY}]`];
/** Environment of a spawned sentinel process that accepts TEST_API_KEY. */
export const TEST_KEY_ENV: Readonly<NodeJS.ProcessEnv> = { SENTINEL_HTTP__APIKEYS: TEST_API_KEY };

/** fetch with the test key. */
export function apiFetch(url: string, init: RequestInit = {}): Promise<Response> {
  return fetch(url, { ...init, headers: { ...TEST_KEY_HEADERS, ...(init.headers as Record<string, string> | undefined) } });
}

/** A supertest agent on a base URL (or an http.Server) that sends the test key with every request. */
export function apiAgent(app: Parameters<typeof request.agent>[0]): ReturnType<typeof request.agent> {
  return request.agent(app).set(TEST_KEY_HEADERS);
}
