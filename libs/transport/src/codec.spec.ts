import { AlertMessage, FrameMessage, SCHEMA_VERSION } from '@sentinel/contracts';
import { FRAME_HEADER_BYTES, decodeLinkPacket, decodePacket, encodePacket } from './codec';

function jpegLike(length: number): Buffer {
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i += 1) bytes[i] = (i * 7919 + (i >> 3)) & 0xff;
  return bytes;
}

const frame = (jpeg: Buffer): FrameMessage =>
  Object.assign(new FrameMessage(), {
    v: SCHEMA_VERSION, cameraId: 'front-door', seq: 123456, capturedAt: 1_764_000_000_000,
    width: 768, height: 576, kind: 'frame', changeScore: 0.31, jpeg,
  });

describe('MessagePack packet codec', () => {
  it('carries a 50 KB frame with at most 5% overhead on the wire (it is ~0.3%)', () => {
    const jpeg = jpegLike(50_000);
    const packet = { pattern: 'frame.changed', id: '5f0c3a2e-8d4b-4f7e-9a51-0c2d3e4f5a6b', data: frame(jpeg) };
    const wireBytes = FRAME_HEADER_BYTES + encodePacket(packet).length;
    expect(wireBytes / jpeg.length).toBeLessThanOrEqual(1.05);
    expect(wireBytes - jpeg.length).toBeLessThan(300);
  });

  it('round-trips binary fields as bytes, not arrays of numbers', () => {
    const jpeg = jpegLike(1000);
    const decoded = decodePacket(encodePacket({ pattern: 'frame.changed', data: frame(jpeg) })) as { data: FrameMessage };
    expect(Buffer.isBuffer(decoded.data.jpeg)).toBe(true);
    expect(Buffer.compare(decoded.data.jpeg as Buffer, jpeg)).toBe(0);
    expect(decoded.data).toMatchObject({ cameraId: 'front-door', seq: 123456, capturedAt: 1_764_000_000_000, changeScore: 0.31 });
  });

  it('round-trips nested messages with optional fields', () => {
    const alert = Object.assign(new AlertMessage(), {
      v: SCHEMA_VERSION, cameraId: 'yard', capturedAt: 1, id: 'alert-0001', kind: 'intruder', at: 2,
      boxes: [{ x: 1.5, y: 2, width: 3, height: 4 }], details: { unknownId: 'unknown-3', visits: 2 },
    });
    expect(decodePacket(encodePacket(alert))).toEqual({ ...alert });
  });

  it('rejects truncated MessagePack', () => {
    const whole = encodePacket({ pattern: 'frame.changed', data: { jpeg: jpegLike(100) } });
    expect(() => decodePacket(whole.subarray(0, whole.length - 10))).toThrow();
  });
});

describe('decodeLinkPacket', () => {
  it('accepts requests and replies, and names what is wrong with anything else', () => {
    expect(decodeLinkPacket(encodePacket({ pattern: 'alert', data: {} })).ok).toBe(true);
    expect(decodeLinkPacket(encodePacket({ id: 'x', response: null, isDisposed: true })).ok).toBe(true);
    expect(decodeLinkPacket(Buffer.from([0xc1]))).toMatchObject({ ok: false, reason: 'not a packet' });
    expect(decodeLinkPacket(encodePacket([1, 2, 3]))).toMatchObject({ ok: false, reason: 'not a packet' });
    expect(decodeLinkPacket(encodePacket({ data: 1 }))).toMatchObject({ ok: false, reason: 'not a packet' });
    expect(decodeLinkPacket(Buffer.from([0x92, 0x01]))).toMatchObject({ ok: false, reason: 'undecodable' });
  });
});
