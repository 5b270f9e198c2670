/**
 * Transport benchmark: messages/s and wire bytes per payload byte for 1 KB and 50 KB frame messages
 * over each link transport, producer and consumer in one process (real sockets for TCP and Redis).
 * Baseline measured in the same run: bare MessagePack encode + decode of the same packets.
 *
 *   npm run build && npm run bench:transport [-- --runs 3 --redis redis://127.0.0.1:6379]
 */
import 'reflect-metadata';
import { connect } from 'node:net';
import { LinkConfig, TransportKind } from '@sentinel/config';
import { freePort } from '@sentinel/evaluation';
import { FrameMessage, Patterns, SCHEMA_VERSION } from '@sentinel/contracts';
import { MetricsService } from '@sentinel/telemetry';
import { InprocBus, LinkChannel, LinkLedger, createLinkClient, createLinkServer, decodePacket, encodePacket } from '@sentinel/transport';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 && args[index + 1] ? args[index + 1] : fallback;
};
const RUNS = Number(flag('runs', '3'));
const REDIS_URL = flag('redis', 'redis://127.0.0.1:6379');
const SIZES = [1024, 50 * 1024];
const MESSAGES: Record<number, number> = { 1024: 4000, [50 * 1024]: 1500 };

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function frame(seq: number, payload: Buffer): FrameMessage {
  return Object.assign(new FrameMessage(), {
    v: SCHEMA_VERSION, cameraId: 'bench', seq, capturedAt: Date.now(), width: 768, height: 576, kind: 'frame', changeScore: 0.2, jpeg: payload,
  });
}

function redisReachable(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const { hostname, port } = new URL(url);
    const socket = connect(Number(port || 6379), hostname);
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

interface RunResult { messagesPerSecond: number; wirePerPayload: number }

async function runTransport(transport: TransportKind, size: number): Promise<RunResult> {
  const config = Object.assign(new LinkConfig(), { transport, window: 32, timeoutMs: 60_000 });
  if (transport === 'tcp') Object.assign(config, { host: '127.0.0.1', port: await freePort() });
  if (transport === 'redis') config.url = REDIS_URL;
  const ledger = new LinkLedger(new MetricsService());
  const bus = new InprocBus();
  const server = createLinkServer('roofToFog', config, { ledger, bus });
  server.addHandler(Patterns.FrameChanged, (async () => undefined) as never, false);
  await new Promise<void>((resolve, reject) => server.listen((err?: unknown) => (err ? reject(err) : resolve())));
  const channel = new LinkChannel('roofToFog', createLinkClient('roofToFog', config, { ledger, bus }), config, ledger);
  const payload = Buffer.alloc(size, 7);
  // Warm-up (connections, subscriptions, JIT).
  await Promise.all(Array.from({ length: 50 }, (_, i) => channel.emit(Patterns.FrameChanged, frame(i, payload))));
  const before = ledger.snapshot().roofToFog.byPattern[Patterns.FrameChanged].bench.sent;
  const count = MESSAGES[size];
  const start = performance.now();
  const outcomes = await Promise.all(Array.from({ length: count }, (_, i) => channel.emit(Patterns.FrameChanged, frame(i, payload))));
  const seconds = (performance.now() - start) / 1000;
  const after = ledger.snapshot().roofToFog.byPattern[Patterns.FrameChanged].bench.sent;
  if (outcomes.some((o) => o !== 'delivered')) throw new Error(`${transport}: not every message was delivered`);
  await channel.close();
  await server.close();
  return { messagesPerSecond: count / seconds, wirePerPayload: (after.bytes - before.bytes) / (count * size) };
}

function runCodecBaseline(size: number): RunResult {
  const payload = Buffer.alloc(size, 7);
  const count = MESSAGES[size];
  let bytes = 0;
  const start = performance.now();
  for (let i = 0; i < count; i += 1) {
    const body = encodePacket({ pattern: Patterns.FrameChanged, id: String(i), data: frame(i, payload) });
    bytes += body.length;
    decodePacket(body);
  }
  return { messagesPerSecond: count / ((performance.now() - start) / 1000), wirePerPayload: bytes / (count * size) };
}

async function main(): Promise<void> {
  const transports: TransportKind[] = ['inproc', 'tcp'];
  if (await redisReachable(REDIS_URL)) transports.push('redis');
  else console.log(`(redis skipped: ${REDIS_URL} not reachable)`);
  console.log(`transport benchmark: medians of ${RUNS} runs; window 32; producer and consumer in one process\n`);
  const rows: string[][] = [['transport', 'payload', 'messages/s', 'MB/s of payload', 'wire/payload', 'vs bare codec']];
  for (const size of SIZES) {
    const baseline = median(Array.from({ length: RUNS }, () => runCodecBaseline(size).messagesPerSecond));
    rows.push(['bare msgpack encode+decode', `${size / 1024} KB`, baseline.toFixed(0), ((baseline * size) / 1e6).toFixed(1), runCodecBaseline(size).wirePerPayload.toFixed(4), '1.00']);
    for (const transport of transports) {
      const results: RunResult[] = [];
      for (let run = 0; run < RUNS; run += 1) results.push(await runTransport(transport, size));
      const rate = median(results.map((r) => r.messagesPerSecond));
      rows.push([transport, `${size / 1024} KB`, rate.toFixed(0), ((rate * size) / 1e6).toFixed(1), median(results.map((r) => r.wirePerPayload)).toFixed(4), (rate / baseline).toFixed(2)]);
    }
  }
  const widths = rows[0].map((_, col) => Math.max(...rows.map((row) => row[col].length)));
  for (const row of rows) console.log(row.map((cell, col) => cell.padEnd(widths[col])).join('  '));
  console.log('\nwire/payload: bytes the link counted (TCP: length prefix + MessagePack; Redis/inproc: MessagePack body) per JPEG byte.');
}

main().then(() => process.exit(0), (error: unknown) => {
  console.error(error);
  process.exit(1);
});
