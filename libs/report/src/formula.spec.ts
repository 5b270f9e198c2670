import { KB, PAPER_PARAMETERS, formulaRates, measuredParameters, ratesPerVideoSecond, shareOfRaw } from './formula';

describe('the paper formula', () => {
  it('gives 500 / 250 / 80 KB/s with the paper parameters (10·50, 5·50, 5·2·8)', () => {
    const rates = formulaRates(PAPER_PARAMETERS);
    expect(rates).toEqual({ raw: 500 * KB, roofToFog: 250 * KB, fogToCloud: 80 * KB });
    expect(shareOfRaw(rates)).toEqual({ roofToFog: 0.5, fogToCloud: 0.16 });
  });

  it('takes measured parameters: x = frames/s, y = forwarded/s, F, C and n as means', () => {
    const p = measuredParameters({
      frames: 100,
      videoSeconds: 10,
      forwardedMessages: 40,
      rawJpegBytes: 5_000_000,
      rawJpegFrames: 100,
      cropMessages: 10,
      cropWireBytes: 20_000,
      personDetections: 120,
      processedFrames: 40,
    });
    expect(p).toEqual({ x: 10, y: 4, frameBytes: 50_000, cropBytes: 2_000, persons: 3 });
    expect(formulaRates(p)).toEqual({ raw: 500_000, roofToFog: 200_000, fogToCloud: 24_000 });
  });

  it('reads 0, not NaN, when nothing was sent', () => {
    const p = measuredParameters({ frames: 0, videoSeconds: 0, forwardedMessages: 0, rawJpegBytes: 0, rawJpegFrames: 0, cropMessages: 0, cropWireBytes: 0, personDetections: 0, processedFrames: 0 });
    expect(p).toEqual({ x: 0, y: 0, frameBytes: 0, cropBytes: 0, persons: 0 });
  });

  it('divides totals by the video duration', () => {
    expect(ratesPerVideoSecond({ raw: 1000, roofToFog: 500, fogToCloud: 20 }, 4)).toEqual({ raw: 250, roofToFog: 125, fogToCloud: 5 });
  });
});
