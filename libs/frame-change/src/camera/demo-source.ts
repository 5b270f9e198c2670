import type { DemoCameraConfig } from '@sentinel/config';

/**
 * lavfi graph of the demo camera: a still textured background (rendered once, then repeated) with
 * two boxes that move for a third of the cycle, stand still for a third, and move again; at the
 * end of the cycle they jump back. Shows change detection forwarding motion and skipping stillness.
 */
export function demoLavfiGraph(demo: Pick<DemoCameraConfig, 'width' | 'height' | 'fps' | 'cycleSeconds'>): string {
  const { width: w, height: h, fps: r, cycleSeconds: p } = demo;
  const boxA = { w: Math.max(8, Math.round(w / 13)), h: Math.max(8, Math.round(h / 3.75)) };
  const boxB = { w: Math.max(8, Math.round(w / 10)), h: Math.max(8, Math.round(w / 10)) };
  // Distance travelled so far in the cycle, 0..1: moving in [0, p/3), still in [p/3, 2p/3), moving in [2p/3, p).
  // Time from the frame number n, not t: overlay's t can repeat a frame (then skip one) at some rates.
  const t = `n/${r}`;
  const s = `(min(mod(${t},${p}),${p / 3})+max(mod(${t},${p})-${(2 * p) / 3},0))/${(2 * p) / 3}`;
  return [
    `nullsrc=s=${w}x${h}:r=${r}:d=${1 / r},geq=lum='110+35*sin(X/23)*cos(Y/31)+20*sin((X+Y)/57)':cb=118:cr=134,loop=loop=-1:size=1,setpts=N/${r}/TB[bg]`,
    `color=c=0xc03030:s=${boxA.w}x${boxA.h}:r=${r}[a]`,
    `color=c=0x3050c0:s=${boxB.w}x${boxB.h}:r=${r}[b]`,
    `[bg][a]overlay=x='${Math.round(w * 0.03)}+${w - boxA.w - Math.round(w * 0.06)}*${s}':y=${Math.round(h * 0.55)}:eval=frame[t1]`,
    `[t1][b]overlay=x='${w - boxB.w - Math.round(w * 0.03)}-${w - boxB.w - Math.round(w * 0.06)}*${s}':y=${Math.round(h * 0.15)}:eval=frame`,
  ].join(';');
}
