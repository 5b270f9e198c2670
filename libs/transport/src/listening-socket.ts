import { AddressInfo, OnReadOpts, Socket, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let socketCount = 0;

/** A fresh Unix socket path in the OS temp folder, for one child process's output (`ffmpeg -listen 1 unix:PATH`). */
export function childSocketPath(kind: string): string {
  return join(tmpdir(), `sentinel-${kind}-${process.pid}-${++socketCount}.sock`);
}

/**
 * A loopback TCP port free right now, for a child process to listen on (`ffmpeg ... tcp://127.0.0.1:PORT?listen=1`).
 * Another process could take it before the child binds it; the child then fails to start and its
 * owner starts it again, on a new port.
 */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Where the child listens: a Unix socket path, or a loopback TCP port. */
export type ListeningAddress = { path: string } | { port: number };

export interface ListeningSocketOptions {
  /** Where each read lands and what is done with it (no chunk is allocated per read). */
  onread: OnReadOpts;
  /** Stop trying (the child ended, or its owner stopped). */
  givenUp: () => boolean;
  onConnected: (socket: Socket) => void;
  /** First wait after a refused attempt, ms; it doubles up to `maxRetryMs`. */
  retryMs?: number;
  maxRetryMs?: number;
}

/**
 * Connects to a socket a child process listens on once it is ready to write (ffmpeg with
 * `-listen 1` opens its output after reading its input's header): not there yet or refused, it tries
 * again, sooner at first, until connected or `givenUp()`. Reads go straight into the caller's buffer
 * (`onread`), where a stdout pipe would allocate a 64 KB chunk per read: at hundreds of raw frames a
 * second those chunks are what keeps V8 collecting (external memory pressure).
 */
export function connectWhenListening(address: ListeningAddress, options: ListeningSocketOptions): void {
  const maxRetryMs = options.maxRetryMs ?? options.retryMs ?? 2;
  let wait = options.retryMs ?? 2;
  const attempt = (): void => {
    if (options.givenUp()) return;
    const socket = 'path' in address ? connect({ path: address.path, onread: options.onread }) : connect({ host: '127.0.0.1', port: address.port, onread: options.onread });
    let connected = false;
    socket.once('connect', () => {
      connected = true;
      if (options.givenUp()) return void socket.destroy();
      options.onConnected(socket);
    });
    socket.once('error', () => {
      if (connected) return;
      setTimeout(attempt, wait);
      wait = Math.min(maxRetryMs, wait * 2);
    });
  };
  attempt();
}
