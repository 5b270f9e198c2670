import { createServer, Server, Socket } from 'node:net';
import { ClientTCP } from '@nestjs/microservices';
import { NetSocketClosedException } from '@nestjs/microservices/errors/net-socket-closed.exception';
import { MetricsService } from '@sentinel/telemetry';
import { freePort, tinyFrameMessage } from '@sentinel/testing';
import { TimeoutError, firstValueFrom, throwError, timeout, NEVER } from 'rxjs';
import { LinkChannel } from './link-channel';
import { LinkLedger } from './link-ledger';
import { LinkConnectError, classifyError, isTransportError } from './transport-errors';

/** What a Nest TCP client really rejects with: the error as caught, never constructed by hand. */
async function caught(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
}

describe('transport errors by code, class and shape', () => {
  const sockets: Socket[] = [];
  afterAll(() => sockets.forEach((s) => s.destroy()));

  it('a refused connection (nobody listening) is a transport error, by its code', async () => {
    const client = new ClientTCP({ host: '127.0.0.1', port: await freePort() });
    const error = await caught(() => client.connect());
    expect((error as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
    expect(classifyError(error)).toBe('transport');
    client.close();
  });

  it("a peer that closes the socket mid-request fails it with Nest's code-less 'Connection closed': a transport error", async () => {
    const server = createServer((socket) => {
      sockets.push(socket);
      socket.once('data', () => socket.destroy());
    });
    const client = new ClientTCP({ host: '127.0.0.1', port: await listen(server) });
    try {
      const error = await caught(() => firstValueFrom(client.send('frame.changed', { seq: 0 })));
      expect(error).toBeInstanceOf(Error);
      expect(classifyError(error)).toBe('transport');
    } finally {
      client.close();
      server.close();
    }
  });

  it('a reset by the peer (ECONNRESET) and a write after close (EPIPE) are transport errors', () => {
    for (const code of ['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ERR_SOCKET_CLOSED']) {
      expect(classifyError(Object.assign(new Error(`write ${code}`), { code }))).toBe('transport');
    }
    const attempts = new AggregateError([Object.assign(new Error('connect ECONNREFUSED ::1:4001'), { code: 'ECONNREFUSED' })], '');
    expect(classifyError(attempts)).toBe('transport');
    expect(classifyError(new NetSocketClosedException())).toBe('transport');
  });

  it('never decides by words in the text: a consumer error answer or a plain bug that mentions sockets is not retried', () => {
    expect(classifyError({ status: 'error', message: 'socket closed: connection refused' })).toBe('consumer-reply');
    expect(classifyError(new Error('connection socket closed'))).toBe('other');
    expect(classifyError(Object.assign(new Error('Connection closed'), { code: 'ERR_INVALID_ARG_TYPE' }))).toBe('other');
    expect(classifyError('ECONNREFUSED connection closed')).toBe('other');
    expect(classifyError(Object.assign(new Error('EACCES'), { code: 'EACCES' }))).toBe('other');
    expect(isTransportError(undefined)).toBe(false);
    expect(isTransportError(42)).toBe(false);
  });

  it('a timeout is its own kind (the deadline is spent: no retry)', async () => {
    const error = await caught(() => firstValueFrom(NEVER.pipe(timeout(1))));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(classifyError(error)).toBe('timeout');
    expect(classifyError(await caught(() => firstValueFrom(throwError(() => new TypeError('x')))))).toBe('other');
  });

  it('whatever a client library rejects its connect step with, the link channel reports a transport failure', async () => {
    const rejecting = { connect: () => Promise.reject('some library text'), send: () => NEVER, close: async () => undefined };
    const ledger = new LinkLedger(new MetricsService());
    const channel = new LinkChannel('roofToFog', rejecting as never, { window: 1, timeoutMs: 250, transport: 'tcp' }, ledger);
    expect(await channel.emit('frame.changed', tinyFrameMessage(0), { whenFull: 'wait' })).toBe('failed');
    expect(channel.lastError).toBe('some library text');
    expect(classifyError(new LinkConnectError('roofToFog', 'some library text'))).toBe('transport');
    // Retried until the deadline (transport), where a consumer error is reported at once.
    expect(ledger.snapshot().roofToFog.outcomes).toEqual({ failed: 1 });
  });
});
