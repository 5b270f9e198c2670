/**
 * Hand-assembled WebAssembly SIMD kernels for gallery scans. A plain JS dot-product loop over 100k
 * 1024-d vectors is compute-bound (scalar, ~3x the memory-read time); 128-bit SIMD makes the scan
 * memory-bound. The module is tiny, so it is emitted here byte by byte instead of adding a toolchain.
 *
 * Exports (all pointers are byte offsets into the imported memory; rows are contiguous, `stride`
 * elements each, stride a multiple of 32):
 * - `dot_f32(gallery, query, rows, stride, out)`: out[r] = sum_i gallery[r*stride+i] * query[i]  (f32)
 * - `dot_i8(gallery, query16, rows, stride, out)`: out[r] = sum_i int8 gallery[r*stride+i] * int16 query16[i] (i32)
 * - `read_bytes(ptr, bytes) -> i32`: ORs every 64-byte block together (returns the OR of all 32-bit words) (a sequential read of `bytes`,
 *   the memory-bandwidth floor a scan is measured against). `bytes` must be a multiple of 64.
 */

const I32 = 0x7f;
const V128 = 0x7b;

function uleb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

function sleb(value: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    if ((value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const name = (text: string): number[] => [...uleb(text.length), ...Buffer.from(text, 'utf8')];

// Opcodes (core + SIMD proposal, prefix 0xfd with LEB128 sub-opcode).
const op = {
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  end: [0x0b],
  br: (depth: number) => [0x0c, ...uleb(depth)],
  brIf: (depth: number) => [0x0d, ...uleb(depth)],
  get: (local: number) => [0x20, ...uleb(local)],
  set: (local: number) => [0x21, ...uleb(local)],
  i32: (value: number) => [0x41, ...sleb(value)],
  i32Add: [0x6a],
  i32Mul: [0x6c],
  i32Or: [0x72],
  i32Shl: [0x74],
  i32LtU: [0x49],
  i32GeU: [0x4f],
  i32Store: (offset = 0) => [0x36, 2, ...uleb(offset)],
  f32Add: [0x92],
  f32Store: (offset = 0) => [0x38, 2, ...uleb(offset)],
  simd: (code: number, ...imm: number[]) => [0xfd, ...uleb(code), ...imm],
};
const v128Load = (offset: number) => op.simd(0x00, 4, ...uleb(offset));
const v128Zero = op.simd(0x0c, ...new Array<number>(16).fill(0));
const v128Or = op.simd(0x50);
const i32x4ExtractLane = (lane: number) => op.simd(0x1b, lane);
const f32x4ExtractLane = (lane: number) => op.simd(0x1f, lane);
const i16x8ExtendLowI8x16S = op.simd(0x87);
const i16x8ExtendHighI8x16S = op.simd(0x88);
const i32x4DotI16x8S = op.simd(0xba);
const i32x4Add = op.simd(0xae);
const f32x4Add = op.simd(0xe4);
const f32x4Mul = op.simd(0xe6);

/** Shared skeleton: for each row, zero 4 accumulators, run `inner` over the row, store `reduce`. */
function rowScan(options: { rowBytes: number[]; inner: number[]; reduceAndStore: number[] }): number[] {
  // params: 0 gallery, 1 query, 2 rows, 3 stride, 4 out; locals: 5 row, 6 q, 7 rowEnd, 8..11 acc (v128)
  const [GALLERY, QUERY, ROWS, , OUT, ROW, Q, ROW_END, A0, A1, A2, A3] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  return [
    ...op.i32(0), ...op.set(ROW),
    ...op.block,
    ...op.loop,
    ...op.get(ROW), ...op.get(ROWS), ...op.i32GeU, ...op.brIf(1),
    ...v128Zero, ...op.set(A0), ...v128Zero, ...op.set(A1), ...v128Zero, ...op.set(A2), ...v128Zero, ...op.set(A3),
    ...op.get(QUERY), ...op.set(Q),
    ...op.get(GALLERY), ...options.rowBytes, ...op.i32Add, ...op.set(ROW_END),
    ...op.loop,
    ...options.inner,
    ...op.get(GALLERY), ...op.get(ROW_END), ...op.i32LtU, ...op.brIf(0),
    ...op.end,
    // out + row * 4
    ...op.get(OUT), ...op.get(ROW), ...op.i32(2), ...op.i32Shl, ...op.i32Add,
    ...options.reduceAndStore,
    ...op.get(ROW), ...op.i32(1), ...op.i32Add, ...op.set(ROW),
    ...op.br(0),
    ...op.end,
    ...op.end,
  ];
}

function dotF32Body(): number[] {
  const [GALLERY, , , STRIDE, , , Q, , A0, A1, A2, A3] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  const step = (acc: number, offset: number) => [
    ...op.get(acc), ...op.get(GALLERY), ...v128Load(offset), ...op.get(Q), ...v128Load(offset), ...f32x4Mul, ...f32x4Add, ...op.set(acc),
  ];
  const inner = [
    ...step(A0, 0), ...step(A1, 16), ...step(A2, 32), ...step(A3, 48),
    ...op.get(GALLERY), ...op.i32(64), ...op.i32Add, ...op.set(GALLERY),
    ...op.get(Q), ...op.i32(64), ...op.i32Add, ...op.set(Q),
  ];
  const reduceAndStore = [
    ...op.get(A0), ...op.get(A1), ...f32x4Add, ...op.get(A2), ...op.get(A3), ...f32x4Add, ...f32x4Add, ...op.set(A0),
    ...op.get(A0), ...f32x4ExtractLane(0), ...op.get(A0), ...f32x4ExtractLane(1), ...op.f32Add,
    ...op.get(A0), ...f32x4ExtractLane(2), ...op.get(A0), ...f32x4ExtractLane(3), ...op.f32Add, ...op.f32Add,
    ...op.f32Store(),
  ];
  return rowScan({ rowBytes: [...op.get(STRIDE), ...op.i32(2), ...op.i32Shl], inner, reduceAndStore });
}

function dotI8Body(): number[] {
  const [GALLERY, , , STRIDE, , , Q, , A0, A1, A2, A3] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  // 16 int8 gallery values against 16 int16 query values (32 bytes) into two accumulators.
  const step = (lo: number, hi: number, gOffset: number, qOffset: number) => [
    ...op.get(lo), ...op.get(GALLERY), ...v128Load(gOffset), ...i16x8ExtendLowI8x16S, ...op.get(Q), ...v128Load(qOffset), ...i32x4DotI16x8S, ...i32x4Add, ...op.set(lo),
    ...op.get(hi), ...op.get(GALLERY), ...v128Load(gOffset), ...i16x8ExtendHighI8x16S, ...op.get(Q), ...v128Load(qOffset + 16), ...i32x4DotI16x8S, ...i32x4Add, ...op.set(hi),
  ];
  const inner = [
    ...step(A0, A1, 0, 0), ...step(A2, A3, 16, 32),
    ...op.get(GALLERY), ...op.i32(32), ...op.i32Add, ...op.set(GALLERY),
    ...op.get(Q), ...op.i32(64), ...op.i32Add, ...op.set(Q),
  ];
  const reduceAndStore = [
    ...op.get(A0), ...op.get(A1), ...i32x4Add, ...op.get(A2), ...op.get(A3), ...i32x4Add, ...i32x4Add, ...op.set(A0),
    ...op.get(A0), ...i32x4ExtractLane(0), ...op.get(A0), ...i32x4ExtractLane(1), ...op.i32Add,
    ...op.get(A0), ...i32x4ExtractLane(2), ...op.get(A0), ...i32x4ExtractLane(3), ...op.i32Add, ...op.i32Add,
    ...op.i32Store(),
  ];
  return rowScan({ rowBytes: op.get(STRIDE), inner, reduceAndStore });
}

function readBytesBody(): number[] {
  // params: 0 ptr, 1 bytes; locals: 2 end, 3..6 acc
  const [PTR, BYTES, END, A0, A1, A2, A3] = [0, 1, 2, 3, 4, 5, 6];
  const step = (acc: number, offset: number) => [...op.get(acc), ...op.get(PTR), ...v128Load(offset), ...v128Or, ...op.set(acc)];
  return [
    ...v128Zero, ...op.set(A0), ...v128Zero, ...op.set(A1), ...v128Zero, ...op.set(A2), ...v128Zero, ...op.set(A3),
    ...op.get(PTR), ...op.get(BYTES), ...op.i32Add, ...op.set(END),
    ...op.block,
    ...op.get(PTR), ...op.get(END), ...op.i32GeU, ...op.brIf(0),
    ...op.loop,
    ...step(A0, 0), ...step(A1, 16), ...step(A2, 32), ...step(A3, 48),
    ...op.get(PTR), ...op.i32(64), ...op.i32Add, ...op.set(PTR),
    ...op.get(PTR), ...op.get(END), ...op.i32LtU, ...op.brIf(0),
    ...op.end,
    ...op.end,
    ...op.get(A0), ...op.get(A1), ...v128Or, ...op.get(A2), ...op.get(A3), ...v128Or, ...v128Or, ...op.set(A0),
    ...op.get(A0), ...i32x4ExtractLane(0), ...op.get(A0), ...i32x4ExtractLane(1), ...op.i32Or,
    ...op.get(A0), ...i32x4ExtractLane(2), ...op.get(A0), ...i32x4ExtractLane(3), ...op.i32Or, ...op.i32Or,
  ];
}

const funcBody = (locals: [count: number, type: number][], code: number[]): number[] => {
  const body = [...vec(locals.map(([count, type]) => [...uleb(count), type])), ...code, ...op.end];
  return [...uleb(body.length), ...body];
};

/** The kernel module's bytes. */
export function buildKernelModule(): Uint8Array {
  const scanType = [0x60, ...vec([[I32], [I32], [I32], [I32], [I32]]), ...vec([])];
  const readType = [0x60, ...vec([[I32], [I32]]), ...vec([[I32]])];
  const scanLocals: [number, number][] = [[3, I32], [4, V128]];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([scanType, readType])),
    // import env.memory, limits: min 1 page, no maximum
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(1)]])),
    ...section(3, vec([[0], [0], [1]])),
    ...section(7, vec([
      [...name('dot_f32'), 0x00, 0],
      [...name('dot_i8'), 0x00, 1],
      [...name('read_bytes'), 0x00, 2],
    ])),
    ...section(10, vec([
      funcBody(scanLocals, dotF32Body()),
      funcBody(scanLocals, dotI8Body()),
      funcBody([[1, I32], [4, V128]], readBytesBody()),
    ])),
  ];
  return Uint8Array.from(bytes);
}

/** The few WebAssembly JS API members used here (the project's TS libs do not declare the global). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(deltaPages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
  Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemory;
  validate(bytes: Uint8Array): boolean;
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** True when this runtime accepts the kernel module (needs WebAssembly SIMD: Node 16.4+). */
export function kernelsSupported(): boolean {
  return wasm.validate(buildKernelModule());
}

export interface SimdKernels {
  readonly memory: WasmMemory;
  dotF32(gallery: number, query: number, rows: number, stride: number, out: number): void;
  dotI8(gallery: number, query16: number, rows: number, stride: number, out: number): void;
  readBytes(ptr: number, bytes: number): number;
}

let compiled: object | undefined;

export const WASM_PAGE_BYTES = 65536;
/** wasm32 memories stop at 4 GiB. */
export const WASM_MAX_PAGES = 65536;

/** One kernel instance bound to its own memory (a memory holds one bank of vectors). */
export function instantiateKernels(initialPages = 1): SimdKernels {
  compiled ??= new wasm.Module(buildKernelModule());
  const memory = new wasm.Memory({ initial: initialPages, maximum: WASM_MAX_PAGES });
  const instance = new wasm.Instance(compiled, { env: { memory } });
  const kernel = instance.exports as unknown as {
    dot_f32: (g: number, q: number, r: number, s: number, o: number) => void;
    dot_i8: (g: number, q: number, r: number, s: number, o: number) => void;
    read_bytes: (p: number, b: number) => number;
  };
  // Pointers above 2 GiB arrive in wasm as negative i32 but wrap to the same unsigned address.
  return {
    memory,
    dotF32: (g, q, r, s, o) => kernel.dot_f32(g | 0, q | 0, r, s, o | 0),
    dotI8: (g, q, r, s, o) => kernel.dot_i8(g | 0, q | 0, r, s, o | 0),
    readBytes: (p, b) => kernel.read_bytes(p | 0, b | 0),
  };
}
