import { Socket } from 'node:net';
import { ClientTCP, ServerTCP, TcpSocket } from '@nestjs/microservices';
import { FRAME_HEADER_BYTES, decodeLinkPacket, encodePacket } from './codec';
import { LinkLedger, packetLabels } from './link-ledger';

/** Largest frame accepted from a peer; a bigger length prefix means a corrupt or hostile stream. */
export const MAX_TCP_FRAME_BYTES = 64 * 1024 * 1024;

export interface TcpSocketContext {
  link: string;
  ledger: LinkLedger;
}

/**
 * Framing of the binary TCP transport: a uint32 length prefix and a MessagePack body. Undecodable
 * bodies are counted and skipped (the framing stays intact); an absurd length ends the connection.
 */
export function msgpackSocketClass({ link, ledger }: TcpSocketContext): new (socket: Socket) => TcpSocket {
  return class MsgpackSocket extends TcpSocket {
    private pending: Buffer[] = [];
    private pendingBytes = 0;

    protected handleSend(message: unknown, callback?: (err?: unknown) => void): void {
      const body = encodePacket(message);
      const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + body.length);
      frame.writeUInt32BE(body.length, 0);
      body.copy(frame, FRAME_HEADER_BYTES);
      const { pattern, cameraId } = packetLabels(message);
      ledger.record(link, 'sent', pattern, cameraId, frame.length);
      this.netSocket.write(frame, callback);
    }

    protected handleData(data: Buffer | string): void {
      const chunk = typeof data === 'string' ? Buffer.from(data) : data;
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      while (this.pendingBytes >= FRAME_HEADER_BYTES) {
        const buffered = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingBytes);
        const length = buffered.readUInt32BE(0);
        if (length > MAX_TCP_FRAME_BYTES) {
          this.pending = [];
          this.pendingBytes = 0;
          ledger.malformed(link, 'oversized frame', `length prefix ${length} > ${MAX_TCP_FRAME_BYTES}`);
          this.netSocket.destroy();
          return;
        }
        if (buffered.length < FRAME_HEADER_BYTES + length) {
          this.pending = [buffered];
          return;
        }
        const body = buffered.subarray(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + length);
        const rest = buffered.subarray(FRAME_HEADER_BYTES + length);
        this.pending = rest.length ? [rest] : [];
        this.pendingBytes = rest.length;
        this.deliver(body);
      }
    }

    private deliver(body: Buffer): void {
      const decoded = decodeLinkPacket(body);
      const { pattern, cameraId } = decoded.ok ? packetLabels(decoded.packet) : { pattern: decoded.reason, cameraId: undefined };
      ledger.record(link, 'received', pattern, cameraId, FRAME_HEADER_BYTES + body.length);
      if (!decoded.ok) {
        ledger.malformed(link, decoded.reason, decoded.detail);
        return;
      }
      const packet = decoded.packet;
      this.netSocket.emit('message', packet);
    }
  };
}

export interface TcpLinkOptions extends TcpSocketContext {
  host: string;
  port: number;
}

export function createTcpServer({ host, port, link, ledger }: TcpLinkOptions): ServerTCP {
  return new ServerTCP({ host, port, socketClass: msgpackSocketClass({ link, ledger }) });
}

export function createTcpClient({ host, port, link, ledger }: TcpLinkOptions): ClientTCP {
  return new ClientTCP({ host, port, socketClass: msgpackSocketClass({ link, ledger }) });
}
