import { Packr } from 'msgpackr';

/**
 * MessagePack: binary fields (JPEG bytes) travel as raw `bin` (5 bytes of overhead), never as a JSON
 * array of numbers or base64. Plain maps, no record extension, so any MessagePack peer can read it.
 */
const packr = new Packr({ useRecords: false, moreTypes: false, mapsAsObjects: true });

export function encodePacket(packet: unknown): Buffer {
  return packr.pack(packet);
}

export function decodePacket(bytes: Uint8Array): unknown {
  return packr.unpack(bytes);
}

/** Length prefix of a TCP frame (uint32 big-endian). */
export const FRAME_HEADER_BYTES = 4;

export type DecodedPacket =
  | { ok: true; packet: Record<string, unknown> & { pattern?: string; id?: string } }
  | { ok: false; reason: 'undecodable' | 'not a packet'; detail: string };

/** Decodes a received body and checks it has the shape of a Nest packet (a request or a reply). */
export function decodeLinkPacket(body: Uint8Array): DecodedPacket {
  let value: unknown;
  try {
    value = decodePacket(body);
  } catch (error) {
    return { ok: false, reason: 'undecodable', detail: (error as Error).message };
  }
  const packet = value as { pattern?: unknown; id?: unknown } | null;
  const isPlainObject = packet !== null && typeof packet === 'object' && Object.getPrototypeOf(packet) === Object.prototype;
  if (!isPlainObject || (typeof packet.pattern !== 'string' && typeof packet.id !== 'string')) {
    return { ok: false, reason: 'not a packet', detail: `decoded to ${Array.isArray(value) ? 'an array' : typeof value} without pattern or id` };
  }
  return { ok: true, packet: packet as Record<string, unknown> & { pattern?: string; id?: string } };
}
