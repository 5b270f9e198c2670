import { BandwidthRates, KB } from './formula';

export interface ChartGroup {
  /** Group caption under its bars, e.g. "paper formula" or "regions (measured)". */
  name: string;
  rates: BandwidthRates;
}

const HOPS: readonly { key: keyof BandwidthRates; label: string; colour: string }[] = [
  { key: 'raw', label: 'raw (every frame as JPEG)', colour: '#9e9e9e' },
  { key: 'roofToFog', label: 'roof → fog', colour: '#1f77b4' },
  { key: 'fogToCloud', label: 'fog → cloud', colour: '#ff7f0e' },
];

const escapeXml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** KB/s with 3 significant digits (and no exponent). */
export function formatKBps(bytesPerSecond: number): string {
  const kb = bytesPerSecond / KB;
  if (kb === 0) return '0';
  if (kb >= 100) return kb.toFixed(0);
  if (kb >= 10) return kb.toFixed(1);
  if (kb >= 1) return kb.toFixed(2);
  return kb.toPrecision(2);
}

/** Decades (powers of ten, KB/s) spanning the positive values. */
export function logTicks(valuesKB: readonly number[]): number[] {
  const positive = valuesKB.filter((v) => v > 0);
  if (!positive.length) return [1, 10];
  const lo = Math.floor(Math.log10(Math.min(...positive)));
  let hi = Math.ceil(Math.log10(Math.max(...positive)));
  if (hi === lo) hi++;
  const ticks: number[] = [];
  for (let e = lo; e <= hi; e++) ticks.push(10 ** e);
  return ticks;
}

/**
 * Grouped bar chart (SVG) of bandwidth per hop, log scale in KB/s, each bar labelled with its value
 * and (for roof→fog and fog→cloud) its share of raw in the same group. A hop whose value is NaN has
 * no bar (the camera's own stream has no fog→cloud hop).
 */
export function bandwidthSvg(groups: readonly ChartGroup[], title: string): string {
  const bar = 56;
  const barGap = 6;
  const groupGap = 48;
  const left = 78;
  const right = 24;
  const top = 84;
  const plotHeight = 300;
  const bottom = 64;
  const groupWidth = HOPS.length * bar + (HOPS.length - 1) * barGap;
  const width = left + groups.length * groupWidth + Math.max(0, groups.length - 1) * groupGap + right + groupGap / 2;
  const height = top + plotHeight + bottom;
  const ticks = logTicks(groups.flatMap((g) => HOPS.map((h) => g.rates[h.key] / KB)).filter((v) => Number.isFinite(v)));
  const logLo = Math.log10(ticks[0]);
  const logHi = Math.log10(ticks[ticks.length - 1]);
  const yOf = (kb: number): number => top + plotHeight - ((Math.log10(kb) - logLo) / (logHi - logLo)) * plotHeight;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(title)}</text>`);
  let lx = left;
  for (const hop of HOPS) {
    out.push(`<rect x="${lx}" y="38" width="12" height="12" fill="${hop.colour}"/><text x="${lx + 16}" y="48">${escapeXml(hop.label)}</text>`);
    lx += 16 + hop.label.length * 6.5 + 18;
  }
  for (const tick of ticks) {
    const y = yOf(tick);
    out.push(`<line x1="${left}" x2="${width - right}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" stroke="#e0e0e0"/>`);
    out.push(`<text x="${left - 6}" y="${(y + 4).toFixed(1)}" text-anchor="end">${tick >= 1 ? tick.toFixed(0) : String(tick)}</text>`);
  }
  out.push(`<text x="16" y="${top + plotHeight / 2}" transform="rotate(-90 16 ${top + plotHeight / 2})" text-anchor="middle">KB/s of video (log scale)</text>`);
  out.push(`<line x1="${left}" x2="${left}" y1="${top}" y2="${top + plotHeight}" stroke="#333"/>`);
  out.push(`<line x1="${left}" x2="${width - right}" y1="${top + plotHeight}" y2="${top + plotHeight}" stroke="#333"/>`);
  groups.forEach((group, g) => {
    const gx = left + groupGap / 2 + g * (groupWidth + groupGap);
    HOPS.forEach((hop, h) => {
      const x = gx + h * (bar + barGap);
      const value = group.rates[hop.key];
      // A hop the group does not have (NaN, e.g. fog→cloud of the camera's own stream): no bar, no label.
      if (!Number.isFinite(value)) return;
      const kb = value / KB;
      const base = top + plotHeight;
      const y = kb > 0 ? Math.min(base, yOf(Math.max(kb, ticks[0]))) : base;
      if (kb > 0) out.push(`<rect x="${x}" y="${y.toFixed(1)}" width="${bar}" height="${(base - y).toFixed(1)}" fill="${hop.colour}"><title>${escapeXml(`${group.name}: ${hop.label} ${formatKBps(value)} KB/s`)}</title></rect>`);
      out.push(`<text x="${x + bar / 2}" y="${(y - (hop.key === 'raw' ? 5 : 18)).toFixed(1)}" text-anchor="middle" font-weight="bold">${formatKBps(value)}</text>`);
      if (hop.key !== 'raw') {
        const share = group.rates.raw > 0 ? (100 * value) / group.rates.raw : Number.NaN;
        const text = Number.isFinite(share) ? `${share < 1 ? share.toFixed(2) : share.toFixed(1)}%` : '';
        out.push(`<text x="${x + bar / 2}" y="${(y - 5).toFixed(1)}" text-anchor="middle" fill="#555">${text}</text>`);
      }
    });
    out.push(`<text x="${gx + groupWidth / 2}" y="${top + plotHeight + 20}" text-anchor="middle" font-weight="bold">${escapeXml(group.name)}</text>`);
  });
  out.push(`<text x="${left}" y="${height - 12}" fill="#555">Bars: KB per second of video (1 KB = 1000 B); percentages: share of raw in the same group.</text>`);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
