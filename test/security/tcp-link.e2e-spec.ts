import { Socket, connect } from 'node:net';
import { LinkConfig, LinkTlsConfig } from '@sentinel/config';
import { FrameMessage, Patterns } from '@sentinel/contracts';
import { MetricsService } from '@sentinel/telemetry';
import { FRAME_HEADER_BYTES, InprocBus, LinkChannel, LinkLedger, createLinkClient, createLinkServer } from '@sentinel/transport';
import { freePort, tinyFrameMessage } from '@sentinel/testing';
import { selfSignedCertificate, tempDir } from './support';

type Server = ReturnType<typeof createLinkServer>;

async function listen(config: LinkConfig, ledger: LinkLedger, received: number[]): Promise<Server> {
  const server = createLinkServer('roofToFog', config, { ledger, bus: new InprocBus() });
  server.addHandler(Patterns.FrameChanged, (async (message: FrameMessage) => {
    received.push(message.seq);
  }) as never, false);
  await new Promise<void>((resolve, reject) => server.listen((err?: unknown) => (err ? reject(err) : resolve())));
  return server;
}

const tcpConfig = (port: number, fields: Partial<LinkConfig> = {}) =>
  Object.assign(new LinkConfig(), { transport: 'tcp', host: '127.0.0.1', port, window: 4, timeoutMs: 3_000 }, fields);
const tls = (fields: Partial<LinkTlsConfig>) => Object.assign(new LinkTlsConfig(), fields);
const incidentsOf = (ledger: LinkLedger) => ledger.snapshot().roofToFog?.incidents ?? {};

function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.on('error', reject);
  });
}

const closed = (socket: Socket) => new Promise<void>((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve())));

describe('TCP link hardening (real sockets)', () => {
  jest.setTimeout(30_000);
  const dir = tempDir('tcp-link-');
  const certificate = selfSignedCertificate(dir.dir);
  afterAll(() => dir.remove());

  it('carries messages over TLS with a certificate from openssl; a producer that does not trust it delivers nothing', async () => {
    const port = await freePort();
    const ledger = new LinkLedger(new MetricsService());
    const received: number[] = [];
    const server = await listen(tcpConfig(port, { tls: tls({ cert: certificate.cert, key: certificate.key }) }), ledger, received);
    const trusted = tcpConfig(port, { tls: tls({ ca: certificate.cert }) });
    const channel = new LinkChannel('roofToFog', createLinkClient('roofToFog', trusted, { ledger, bus: new InprocBus() }), trusted, ledger);
    const untrusting = tcpConfig(port, { tls: tls({}) });
    const stranger = new LinkChannel('roofToFog', createLinkClient('roofToFog', untrusting, { ledger, bus: new InprocBus() }), untrusting, ledger);
    const plain = tcpConfig(port);
    const plainChannel = new LinkChannel('roofToFog', createLinkClient('roofToFog', plain, { ledger, bus: new InprocBus() }), plain, ledger);
    try {
      expect(await Promise.all([1, 2, 3].map((seq) => channel.emit(Patterns.FrameChanged, tinyFrameMessage(seq), { whenFull: 'wait' })))).toEqual(['delivered', 'delivered', 'delivered']);
      expect(await stranger.emit(Patterns.FrameChanged, tinyFrameMessage(90), { whenFull: 'wait' })).not.toBe('delivered');
      expect(await plainChannel.emit(Patterns.FrameChanged, tinyFrameMessage(91), { whenFull: 'wait' })).not.toBe('delivered');
      expect(received.sort()).toEqual([1, 2, 3]);
    } finally {
      await Promise.all([channel.close(), stranger.close(), plainChannel.close()]);
      server.close();
    }
  });

  it('closes connections over maxConnections on arrival and counts them', async () => {
    const port = await freePort();
    const ledger = new LinkLedger(new MetricsService());
    const server = await listen(tcpConfig(port, { maxConnections: 2 }), ledger, []);
    const sockets: Socket[] = [];
    try {
      for (let i = 0; i < 6; i += 1) sockets.push(await openSocket(port));
      await Promise.all(sockets.slice(2).map(closed));
      expect(sockets.filter((s) => !s.destroyed)).toHaveLength(2);
      expect(incidentsOf(ledger)['connection-limit']).toBe(4);
    } finally {
      for (const socket of sockets) socket.destroy();
      server.close();
    }
  });

  it('drops a frame over maxMessageBytes: the sender refuses it, the receiver closes a peer that announces one; both counted', async () => {
    const port = await freePort();
    const ledger = new LinkLedger(new MetricsService());
    const received: number[] = [];
    const config = tcpConfig(port, { maxMessageBytes: 64 * 1024 });
    const server = await listen(config, ledger, received);
    const channel = new LinkChannel('roofToFog', createLinkClient('roofToFog', config, { ledger, bus: new InprocBus() }), config, ledger);
    try {
      const big = { ...tinyFrameMessage(1), jpeg: Buffer.alloc(100 * 1024) };
      expect(await channel.emit(Patterns.FrameChanged, big, { whenFull: 'wait' })).not.toBe('delivered');
      expect(incidentsOf(ledger)['oversized-sent']).toBe(1);
      expect(await channel.emit(Patterns.FrameChanged, tinyFrameMessage(2), { whenFull: 'wait' })).toBe('delivered');

      const hostile = await openSocket(port);
      const header = Buffer.alloc(FRAME_HEADER_BYTES);
      header.writeUInt32BE(1024 * 1024, 0);
      hostile.write(header);
      await closed(hostile);
      expect(incidentsOf(ledger)['oversized-received']).toBe(1);
      expect(received).toEqual([2]);
    } finally {
      await channel.close();
      server.close();
    }
  });
});
