import { float16BitsToFloat32, float16Table, float32ToFloat16Bits } from './float16';

describe('float16', () => {
  it('encodes known values', () => {
    expect(float32ToFloat16Bits(0)).toBe(0x0000);
    expect(float32ToFloat16Bits(-0)).toBe(0x8000);
    expect(float32ToFloat16Bits(1)).toBe(0x3c00);
    expect(float32ToFloat16Bits(-2)).toBe(0xc000);
    expect(float32ToFloat16Bits(0.5)).toBe(0x3800);
    expect(float32ToFloat16Bits(65504)).toBe(0x7bff);
    expect(float32ToFloat16Bits(1e6)).toBe(0x7c00);
    expect(float32ToFloat16Bits(2 ** -24)).toBe(0x0001);
    expect(float32ToFloat16Bits(Number.NaN) & 0x7c00).toBe(0x7c00);
    // 1/255 = 0.00392157 -> nearest half 0x1c04 (0.0039215088).
    expect(float32ToFloat16Bits(1 / 255)).toBe(0x1c04);
  });

  it('rounds to nearest even', () => {
    // 1 + 2^-11 lies exactly between 1 (0x3c00) and 1 + 2^-10 (0x3c01): ties to even -> 0x3c00.
    expect(float32ToFloat16Bits(1 + 2 ** -11)).toBe(0x3c00);
    expect(float32ToFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
  });

  it('decodes and round-trips every finite pattern through the table', () => {
    expect(float16BitsToFloat32(0x3c00)).toBe(1);
    expect(float16BitsToFloat32(0x0001)).toBe(2 ** -24);
    expect(float16BitsToFloat32(0xfc00)).toBe(Number.NEGATIVE_INFINITY);
    const table = float16Table();
    for (let bits = 0; bits < 0x7c00; bits += 7) expect(float32ToFloat16Bits(table[bits])).toBe(bits);
  });
});
