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
