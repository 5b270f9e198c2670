import { FRAME_HEADER_BYTES } from './codec';
import { FrameAssembler } from './frame-assembler';

function frame(body: Buffer): Buffer {
  const header = Buffer.alloc(FRAME_HEADER_BYTES);
  header.writeUInt32BE(body.length, 0);
  return Buffer.concat([header, body]);
}

function* chunksOf(bytes: Buffer, size: number): Generator<Buffer> {
  for (let offset = 0; offset < bytes.length; offset += size) yield bytes.subarray(offset, offset + size);
}

describe('FrameAssembler', () => {
  it('reassembles a 60 MB frame sent in 64 KB chunks with one copy of its bytes (linear, not quadratic)', () => {
    const body = Buffer.alloc(60 * 1024 * 1024);
    body.writeUInt32BE(0xdeadbeef, body.length - 4);
    const assembler = new FrameAssembler(64 * 1024 * 1024);
    const delivered: Buffer[] = [];
    let chunks = 0;
    for (const chunk of chunksOf(frame(body), 64 * 1024)) {
      chunks += 1;
      delivered.push(...assembler.push(chunk).bodies);
    }
    expect(chunks).toBe(961);
    expect(delivered).toHaveLength(1);
    expect(delivered[0].length).toBe(body.length);
    expect(delivered[0].readUInt32BE(body.length - 4)).toBe(0xdeadbeef);
    // The old reassembly concatenated everything pending on every chunk: ~chunks^2/2 x 64 KB (~30 GB) copied.
    expect(assembler.copiedBytes).toBe(body.length);
    expect(assembler.concatenations).toBe(1);
    expect(assembler.pendingBytes).toBe(0);
  });

  it('delivers several frames of one chunk without copying, and headers split across chunks', () => {
    const frames = [Buffer.from('a'), Buffer.from('bb'), Buffer.alloc(0), Buffer.from('cccc')].map(frame);
    const stream = Buffer.concat(frames);
    const whole = new FrameAssembler(1024);
    expect(whole.push(stream).bodies.map(String)).toEqual(['a', 'bb', '', 'cccc']);
    expect(whole.copiedBytes).toBe(0);
    const byteByByte = new FrameAssembler(1024);
    const bodies = [...chunksOf(stream, 1)].flatMap((chunk) => byteByByte.push(chunk).bodies.map(String));
    expect(bodies).toEqual(['a', 'bb', '', 'cccc']);
    expect(byteByByte.copiedBytes).toBeLessThanOrEqual(stream.length);
  });

  it('reports a length prefix over the cap before buffering its body', () => {
    const assembler = new FrameAssembler(1000);
    const header = Buffer.alloc(FRAME_HEADER_BYTES);
    header.writeUInt32BE(1001, 0);
    expect(assembler.push(header)).toEqual({ bodies: [], oversized: 1001 });
    expect(assembler.pendingBytes).toBe(0);
    expect(assembler.push(frame(Buffer.alloc(1000))).bodies[0].length).toBe(1000);
  });
});
