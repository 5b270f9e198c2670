import { LatencySummary, LedgerSnapshot, MetricSample, parsePrometheus } from '@sentinel/report';

/** What one process tells about itself: GET /stats and GET /metrics. */
export interface ProcessSnapshot {
  tier: string;
  links: LedgerSnapshot;
  stages: Record<string, LatencySummary>;
  components: Record<string, Record<string, unknown>>;
  metrics: MetricSample[];
}

async function getOk(url: string): Promise<Response> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
  return response;
}

export async function fetchStats(port: number): Promise<Omit<ProcessSnapshot, 'metrics'>> {
  return (await (await getOk(`http://127.0.0.1:${port}/stats`)).json()) as Omit<ProcessSnapshot, 'metrics'>;
}

export async function fetchSnapshot(port: number): Promise<ProcessSnapshot> {
  const [stats, metrics] = await Promise.all([fetchStats(port), getOk(`http://127.0.0.1:${port}/metrics`).then((r) => r.text())]);
  return { ...stats, metrics: parsePrometheus(metrics) };
}

/** Polls `probe` every `everyMs` until it returns a value, or fails after `timeoutMs`. */
export async function pollUntil<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
