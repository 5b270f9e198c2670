import { connect } from 'node:net';
import { LinkConfig } from '@sentinel/config';
import { FrameMessage, Patterns } from '@sentinel/contracts';
import { MetricsService } from '@sentinel/telemetry';
import { freePort, tcpFrame, tinyFrameMessage } from '@sentinel/testing';
import { InprocBus } from './inproc-transport';
import { createLinkServer } from './link-factory';
import { LinkLedger, OTHER_PATTERN } from './link-ledger';

async function sendRaw(port: number, frames: Buffer[]): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      for (const frame of frames) socket.write(frame);
      setTimeout(() => socket.end(resolve), 200);
    });
    socket.on('error', reject);
  });
}

/** Inherited names sent as patterns or camera ids must not reach Object.prototype (one such frame used to kill a tier). */
describe('hostile pattern names on a TCP link', () => {
  it('are counted under one label; the prototype, the metrics and valid traffic stay intact', async () => {
    const metrics = new MetricsService();
    const ledger = new LinkLedger(metrics);
    const port = await freePort();
    const config = Object.assign(new LinkConfig(), { transport: 'tcp', host: '127.0.0.1', port });
    const server = createLinkServer('roofToFog', config, { ledger, bus: new InprocBus() });
    const received: number[] = [];
    server.addHandler(Patterns.FrameChanged, (async (message: FrameMessage) => {
      received.push(message.seq);
    }) as never, false);
    await new Promise<void>((resolve, reject) => server.listen((err?: unknown) => (err ? reject(err) : resolve())));
    try {
      const hostile = ['__proto__', 'constructor', 'prototype', 'hasOwnProperty'].flatMap((name) => [
        tcpFrame({ pattern: name, id: '1', data: { cameraId: name } }),
        tcpFrame({ pattern: Patterns.FrameChanged, id: '2', data: { cameraId: name } }),
      ]);
      await sendRaw(port, [...hostile, tcpFrame({ pattern: Patterns.FrameChanged, id: '3', data: tinyFrameMessage(7) })]);

      expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('-');
      expect(({} as Record<string, unknown>).sent).toBeUndefined();
      const text = await metrics.text();
      expect(text).toContain(`pattern="${OTHER_PATTERN}"`);
      expect(text).not.toContain('pattern="__proto__"');
      const traffic = ledger.snapshot().roofToFog;
      expect(traffic.byPattern[OTHER_PATTERN]['-'].received.messages).toBe(4);
      expect(received).toEqual([7]);
    } finally {
      server.close();
    }
  });
});
