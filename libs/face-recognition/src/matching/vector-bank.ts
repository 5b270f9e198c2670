import { SimdKernels, WASM_MAX_PAGES, WASM_PAGE_BYTES, instantiateKernels } from './simd-kernels';

/**
 * Rows of fixed stride in one WebAssembly memory, laid out for the SIMD kernels:
 *
 *   [ rows: capacity x rowBytes | query: queryBytes | out: capacity x 4 bytes ]
 *
 * Rows start at byte 0 and never move: growing the memory only moves the scratch areas behind
 * them. Every growth detaches old views, so views are always taken fresh through the getters.
 */
export class VectorBank {
  readonly kernels: SimdKernels;
  private capacityRows: number;

  constructor(
    readonly rowBytes: number,
    private readonly queryBytes: number,
    initialCapacity: number,
  ) {
    if (rowBytes % 32 !== 0) throw new Error(`row bytes must be a multiple of 32, got ${rowBytes}`);
    this.capacityRows = Math.max(1, initialCapacity);
    this.kernels = instantiateKernels(this.pagesFor(this.capacityRows));
  }

  get capacity(): number {
    return this.capacityRows;
  }

  get buffer(): ArrayBuffer {
    return this.kernels.memory.buffer;
  }

  get queryOffset(): number {
    return this.capacityRows * this.rowBytes;
  }

  get outOffset(): number {
    return this.queryOffset + align64(this.queryBytes);
  }

  /** Makes room for at least `rows` rows (doubling), keeping every row in place. */
  ensureCapacity(rows: number): void {
    if (rows <= this.capacityRows) return;
    let capacity = this.capacityRows;
    while (capacity < rows) capacity *= 2;
    const pages = this.pagesFor(capacity);
    if (pages > WASM_MAX_PAGES) {
      throw new Error(`gallery of ${rows} vectors needs ${pages * WASM_PAGE_BYTES} bytes, over the 4 GiB of a wasm memory`);
    }
    const current = this.kernels.memory.buffer.byteLength / WASM_PAGE_BYTES;
    if (pages > current) this.kernels.memory.grow(pages - current);
    this.capacityRows = capacity;
  }

  private pagesFor(capacity: number): number {
    const bytes = capacity * this.rowBytes + align64(this.queryBytes) + capacity * 4;
    return Math.ceil(bytes / WASM_PAGE_BYTES);
  }
}

export function align64(bytes: number): number {
  return Math.ceil(bytes / 64) * 64;
}
