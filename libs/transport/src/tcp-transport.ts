import { readFileSync } from 'node:fs';
import { Server as NetServer, Socket } from 'node:net';
import type { ConnectionOptions, TlsOptions } from 'node:tls';
import { ClientTCP, ServerTCP, TcpSocket } from '@nestjs/microservices';
import type { LinkConfig, LinkTlsConfig } from '@sentinel/config';
import { FRAME_HEADER_BYTES, decodeLinkPacket, encodePacket } from './codec';
import { FrameAssembler } from './frame-assembler';
import { LinkLedger, packetLabels } from './link-ledger';

/** Default largest frame on a TCP link; a bigger length prefix means a corrupt or hostile stream. */
export const MAX_TCP_FRAME_BYTES = 64 * 1024 * 1024;

export interface TcpSocketContext {
  link: string;
  ledger: LinkLedger;
  /** Largest frame body sent or accepted (default MAX_TCP_FRAME_BYTES). */
  maxFrameBytes?: number;
}

/**
 * Framing of the binary TCP transport: a uint32 length prefix and a MessagePack body, reassembled in
 * linear time (FrameAssembler). Undecodable bodies are counted and skipped (the framing stays intact);
 * a length over the cap is counted and ends the connection; an oversized send is refused and counted.
 */
export function msgpackSocketClass({ link, ledger, maxFrameBytes = MAX_TCP_FRAME_BYTES }: TcpSocketContext): new (socket: Socket) => TcpSocket {
  return class MsgpackSocket extends TcpSocket {
    private readonly assembler = new FrameAssembler(maxFrameBytes);

    protected handleSend(message: unknown, callback?: (err?: unknown) => void): void {
      const body = encodePacket(message);
      const { pattern, cameraId, site } = packetLabels(message);
      if (body.length > maxFrameBytes) {
        ledger.incident(link, 'oversized-sent', `refused to send a ${pattern} message of ${body.length} bytes (maxMessageBytes ${maxFrameBytes})`);
        throw new Error(`message of ${body.length} bytes over links.${link}.maxMessageBytes (${maxFrameBytes})`);
      }
      const header = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
      header.writeUInt32BE(body.length, 0);
      ledger.record(link, 'sent', pattern, cameraId, FRAME_HEADER_BYTES + body.length, site);
      this.netSocket.cork();
      this.netSocket.write(header);
      this.netSocket.write(body, callback);
      this.netSocket.uncork();
    }

    protected handleData(data: Buffer | string): void {
      const { bodies, oversized } = this.assembler.push(typeof data === 'string' ? Buffer.from(data) : data);
      for (const body of bodies) this.deliver(body);
      if (oversized !== undefined) {
        ledger.incident(link, 'oversized-received', `closed a connection announcing a ${oversized}-byte frame (maxMessageBytes ${maxFrameBytes})`);
        ledger.malformed(link, 'oversized frame', `length prefix ${oversized} > ${maxFrameBytes}`);
        this.netSocket.destroy();
      }
    }

    private deliver(body: Buffer): void {
      const decoded = decodeLinkPacket(body);
      const { pattern, cameraId, site } = decoded.ok ? packetLabels(decoded.packet) : { pattern: decoded.reason, cameraId: undefined, site: undefined };
      ledger.record(link, 'received', pattern, cameraId, FRAME_HEADER_BYTES + body.length, site);
      if (!decoded.ok) {
        ledger.malformed(link, decoded.reason, decoded.detail);
        return;
      }
      this.netSocket.emit('message', decoded.packet);
    }
  };
}

export interface TcpLinkOptions extends TcpSocketContext {
  host: string;
  port: number;
  tls?: LinkTlsConfig;
  /** Consumer: connections accepted at once (default 64). */
  maxConnections?: number;
}

/** The TCP-specific settings of a link config, for createTcpServer/createTcpClient. */
export function tcpLinkSettings(config: LinkConfig): Pick<TcpLinkOptions, 'tls' | 'maxConnections' | 'maxFrameBytes'> {
  return { tls: config.tls, maxConnections: config.maxConnections, maxFrameBytes: config.maxMessageBytes };
}

function readPem(link: string, key: string, path: string | undefined): Buffer | undefined {
  if (!path) return undefined;
  try {
    return readFileSync(path);
  } catch (error) {
    throw new Error(`links.${link}.tls.${key} ${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

/** Consumer side: certificate and key; with a CA, producers must present a certificate it signed. */
export function serverTlsOptions(link: string, tls: LinkTlsConfig): TlsOptions {
  const cert = readPem(link, 'cert', tls.cert);
  const key = readPem(link, 'key', tls.key);
  if (!cert || !key) throw new Error(`links.${link}.tls: the consumer needs cert and key`);
  const ca = readPem(link, 'ca', tls.ca);
  return { cert, key, ...(ca && { ca, requestCert: true, rejectUnauthorized: tls.rejectUnauthorized }) };
}

/** Producer side: the CA that signed the consumer's certificate (or the system CAs), optionally a client certificate. */
export function clientTlsOptions(link: string, tls: LinkTlsConfig): ConnectionOptions {
  const ca = readPem(link, 'ca', tls.ca);
  const cert = readPem(link, 'cert', tls.cert);
  const key = readPem(link, 'key', tls.key);
  return { rejectUnauthorized: tls.rejectUnauthorized, ...(ca && { ca }), ...(cert && key && { cert, key }), ...(tls.servername && { servername: tls.servername }) };
}

/** Nest's TCP server with a connection cap: connections past it are closed on arrival and counted. */
class CappedTcpServer extends ServerTCP {
  constructor(
    options: ConstructorParameters<typeof ServerTCP>[0],
    private readonly cap: { link: string; ledger: LinkLedger; maxConnections: number },
  ) {
    super(options);
    this.applyCap();
  }

  private applyCap(): void {
    const server = this.server as unknown as NetServer;
    server.maxConnections = this.cap.maxConnections;
    server.on('drop', () => this.cap.ledger.incident(this.cap.link, 'connection-limit', `refused a connection over maxConnections ${this.cap.maxConnections}`));
  }
}

export function createTcpServer({ host, port, link, ledger, tls, maxConnections = 64, maxFrameBytes }: TcpLinkOptions): ServerTCP {
  return new CappedTcpServer(
    { host, port, socketClass: msgpackSocketClass({ link, ledger, maxFrameBytes }), ...(tls && { tlsOptions: serverTlsOptions(link, tls) }) },
    { link, ledger, maxConnections },
  );
}

export function createTcpClient({ host, port, link, ledger, tls, maxFrameBytes }: TcpLinkOptions): ClientTCP {
  return new ClientTCP({ host, port, socketClass: msgpackSocketClass({ link, ledger, maxFrameBytes }), ...(tls && { tlsOptions: clientTlsOptions(link, tls) }) });
}
