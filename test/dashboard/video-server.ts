import { createReadStream } from 'node:fs';
import { AddressInfo } from 'node:net';
import { Server, createServer } from 'node:http';

export interface VideoServer {
  /** http://127.0.0.1:PORT/video.ts */
  readonly url: string;
  /** Times the video was served. */
  readonly served: () => number;
  /** From now on the next request gets the video (once); before and after it, 503 like a camera that is down. */
  release(): void;
  close(): Promise<void>;
}

/**
 * A camera the test switches on: an HTTP source that answers 503 until released, then streams an
 * MPEG-TS file once. The roof treats http:// as a live stream and reconnects while it is down.
 */
export async function startVideoServer(file: string): Promise<VideoServer> {
  let pending = false;
  let served = 0;
  const server: Server = createServer((request, response) => {
    if (!pending) {
      response.writeHead(503, { 'Retry-After': '1' }).end();
      return;
    }
    pending = false;
    served++;
    response.writeHead(200, { 'Content-Type': 'video/mp2t' });
    createReadStream(file).pipe(response);
    request.on('close', () => response.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/video.ts`,
    served: () => served,
    release: () => (pending = true),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
