import { ChildProcess, spawn } from 'node:child_process';
import { Socket as UdpSocket, createSocket } from 'node:dgram';
import { AddressInfo, Socket, createServer } from 'node:net';
import { resolveFfmpegPath } from '@sentinel/frame-change';

export interface RtspServerOptions {
  /** lavfi graph of the served video. */
  lavfi?: string;
  ffmpegPath?: string;
}

export interface RtspTestServer {
  /** rtsp://127.0.0.1:PORT/live */
  readonly url: string;
  /** SETUPs answered (one per client session) and PLAYs answered. */
  readonly counts: { sessions: number; plays: number };
  /** Closes every client connection, as a camera dropping its sessions does. */
  dropSessions(): void;
  close(): Promise<void>;
}

interface RtspRequest {
  method: string;
  headers: Map<string, string>;
}

/**
 * A minimal RTSP server (RFC 2326) for tests: one video track, RTP over the RTSP connection only
 * (`RTP/AVP/TCP;interleaved=0-1`). ffmpeg encodes a lavfi source to MJPEG RTP (RFC 2435: every
 * frame decodes alone, so a client joining mid-stream needs no keyframe) sent to local UDP ports,
 * which are relayed to every playing client.
 */
export async function startRtspServer(options: RtspServerOptions = {}): Promise<RtspTestServer> {
  const [rtp, rtcp] = await Promise.all([bindUdp(), bindUdp()]);
  const ffmpeg = spawnRtpEncoder(options, udpPort(rtp), udpPort(rtcp));
  const sdp = await readSdp(ffmpeg).catch(async (error: unknown) => {
    await stopAll(ffmpeg, [rtp, rtcp]);
    throw error;
  });
  const counts = { sessions: 0, plays: 0 };
  const clients = new Set<Socket>();
  const playing = new Set<Socket>();
  relay(rtp, 0, playing);
  relay(rtcp, 1, playing);

  const server = createServer((socket) => {
    clients.add(socket);
    socket.on('close', () => {
      clients.delete(socket);
      playing.delete(socket);
    });
    socket.on('error', () => socket.destroy());
    readRequests(socket, (request) => answer(socket, request));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `rtsp://127.0.0.1:${(server.address() as AddressInfo).port}/live`;

  function answer(socket: Socket, { method, headers }: RtspRequest): void {
    const cseq = headers.get('cseq') ?? '0';
    const session = headers.get('session')?.split(';')[0];
    switch (method) {
      case 'OPTIONS':
        return reply(socket, cseq, '200 OK', { Public: 'OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN' });
      case 'DESCRIBE':
        return reply(socket, cseq, '200 OK', { 'Content-Base': `${url}/`, 'Content-Type': 'application/sdp' }, sdp);
      case 'SETUP':
        if (!/RTP\/AVP\/TCP/i.test(headers.get('transport') ?? '')) return reply(socket, cseq, '461 Unsupported Transport');
        counts.sessions++;
        return reply(socket, cseq, '200 OK', { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1', Session: `${counts.sessions};timeout=60` });
      case 'PLAY':
        if (!session) return reply(socket, cseq, '454 Session Not Found');
        counts.plays++;
        reply(socket, cseq, '200 OK', { Session: session, Range: 'npt=0.000-' });
        playing.add(socket);
        return;
      case 'TEARDOWN':
        reply(socket, cseq, '200 OK', session ? { Session: session } : {});
        socket.end();
        return;
      default:
        return reply(socket, cseq, '501 Not Implemented');
    }
  }

  return {
    url,
    counts,
    dropSessions: () => clients.forEach((socket) => socket.destroy()),
    close: async () => {
      clients.forEach((socket) => socket.destroy());
      await new Promise((resolve) => server.close(resolve));
      await stopAll(ffmpeg, [rtp, rtcp]);
    },
  };
}

function bindUdp(): Promise<UdpSocket> {
  const socket = createSocket('udp4');
  return new Promise((resolve) => socket.bind(0, '127.0.0.1', () => resolve(socket)));
}

function udpPort(socket: UdpSocket): number {
  return socket.address().port;
}

function spawnRtpEncoder(options: RtspServerOptions, rtpPort: number, rtcpPort: number): ChildProcess {
  const lavfi = options.lavfi ?? 'testsrc2=s=320x240:r=25';
  // The RTP muxer refuses JPEGs with optimised Huffman tables (RFC 2435 only carries the standard ones).
  const args = ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', lavfi];
  args.push('-c:v', 'mjpeg', '-huffman', 'default', '-pix_fmt', 'yuvj420p', '-q:v', '5');
  args.push('-f', 'rtp', `rtp://127.0.0.1:${rtpPort}?rtcpport=${rtcpPort}`);
  return spawn(resolveFfmpegPath(options.ffmpegPath), args, { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The SDP ffmpeg prints on stdout (`SDP:` then the description, then an empty line), with a control URL for the track. */
function readSdp(ffmpeg: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    ffmpeg.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2_000)));
    ffmpeg.once('error', reject);
    ffmpeg.once('exit', (code) => reject(new Error(`ffmpeg exited (${code}) before printing its SDP: ${stderr}`)));
    ffmpeg.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const found = /SDP:\r?\n([\s\S]+?\r?\n)\r?\n/.exec(stdout);
      if (found) resolve(`${found[1].replace(/^m=video \d+/m, 'm=video 0')}a=control:trackID=0\r\n`);
    });
  });
}

/** Calls `onRequest` for each RTSP request on the connection; skips interleaved packets from the client (its RTCP reports). */
function readRequests(socket: Socket, onRequest: (request: RtspRequest) => void): void {
  let pending = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    for (;;) {
      if (pending[0] === 0x24) {
        if (pending.length < 4 || pending.length < 4 + pending.readUInt16BE(2)) return;
        pending = pending.subarray(4 + pending.readUInt16BE(2));
        continue;
      }
      const end = pending.indexOf('\r\n\r\n');
      if (end < 0) return;
      const [requestLine, ...lines] = pending.subarray(0, end).toString('latin1').split('\r\n');
      const headers = new Map(lines.map((line) => [line.slice(0, line.indexOf(':')).trim().toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
      const bodyLength = Number(headers.get('content-length') ?? 0);
      if (pending.length < end + 4 + bodyLength) return;
      pending = pending.subarray(end + 4 + bodyLength);
      onRequest({ method: requestLine.split(' ')[0], headers });
    }
  });
}

function reply(socket: Socket, cseq: string, status: string, headers: Record<string, string> = {}, body = ''): void {
  const lines = [`RTSP/1.0 ${status}`, `CSeq: ${cseq}`, ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)];
  if (body) lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  socket.write(`${lines.join('\r\n')}\r\n\r\n${body}`);
}

/** Forwards each datagram to the playing clients as an interleaved frame: `$`, channel, 2-byte length, packet. */
function relay(udp: UdpSocket, channel: number, playing: ReadonlySet<Socket>): void {
  udp.on('message', (packet: Buffer) => {
    const header = Buffer.from([0x24, channel, packet.length >> 8, packet.length & 0xff]);
    for (const socket of playing) socket.write(Buffer.concat([header, packet]));
  });
}

async function stopAll(ffmpeg: ChildProcess, sockets: UdpSocket[]): Promise<void> {
  if (ffmpeg.pid !== undefined && ffmpeg.exitCode === null && ffmpeg.signalCode === null) {
    const exited = new Promise((resolve) => ffmpeg.once('exit', resolve));
    ffmpeg.kill('SIGKILL');
    await exited;
  }
  sockets.forEach((socket) => socket.close());
}
