import { formulaRates, PAPER_PARAMETERS } from './formula';
import { ReportCheck, ReportTarget, RunReport, runName } from './report-data';
import type { AccuracyResult } from '@sentinel/evaluation';

const close = (a: number, b: number, tolerance = 1e-9): boolean => Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(a), Math.abs(b));

/** The report's internal consistency, run by run: what the test checks. */
export function consistencyChecks(runs: readonly RunReport[]): ReportCheck[] {
  const checks: ReportCheck[] = [];
  const paper = formulaRates(PAPER_PARAMETERS);
  checks.push({
    name: 'paper formula rows',
    ok: paper.raw === 500_000 && paper.roofToFog === 250_000 && paper.fogToCloud === 80_000,
    detail: `raw ${paper.raw} B/s, roof→fog ${paper.roofToFog} B/s, fog→cloud ${paper.fogToCloud} B/s (10·50 KB, 5·50 KB, 5·2·8 KB)`,
  });
  for (const run of runs) {
    const name = runName(run);
    const unbalanced = run.balance.filter((row) => !row.balanced);
    checks.push({
      name: `${name}: bytes sent = bytes received on every link`,
      ok: run.balance.length > 0 && unbalanced.length === 0,
      detail: unbalanced.length
        ? unbalanced.map((r) => `${r.link}/${r.pattern}/${r.camera}: sent ${r.sent.messages} msg ${r.sent.bytes} B, received ${r.received.messages} msg ${r.received.bytes} B`).join('; ')
        : `${run.balance.length} link/pattern/camera cells balanced`,
    });
    // Like for like: JPEG bytes of every frame >= JPEG bytes forwarded >= JPEG bytes of crops; then each link's wire bytes >= its JPEG payload.
    const t = run.bandwidth.totals;
    const p = run.bandwidth.payload;
    checks.push({
      name: `${name}: raw >= roof→fog >= fog→cloud (JPEG payload bytes)`,
      ok: p.raw >= p.roofToFog && p.roofToFog >= p.fogToCloud,
      detail: `${p.raw} >= ${p.roofToFog} >= ${p.fogToCloud} bytes`,
    });
    checks.push({
      name: `${name}: wire bytes >= JPEG payload on each link`,
      ok: t.roofToFog >= p.roofToFog && t.fogToCloud >= p.fogToCloud,
      detail: `roof→fog ${t.roofToFog} >= ${p.roofToFog}, fog→cloud ${t.fogToCloud} >= ${p.fogToCloud} bytes`,
    });
    checks.push({
      name: `${name}: forwarded <= changed <= frames`,
      ok: run.counts.forwardedMessages <= run.counts.frames && run.counts.changedFrames <= run.counts.frames,
      detail: `forwarded ${run.counts.forwardedMessages}, changed ${run.counts.changedFrames}, frames ${run.counts.frames}`,
    });
    const m = run.bandwidth.parameters;
    const f = run.bandwidth.formula;
    checks.push({
      name: `${name}: formula with measured parameters`,
      ok: close(f.raw, m.x * m.frameBytes) && close(f.roofToFog, m.y * m.frameBytes) && close(f.fogToCloud, m.y * m.persons * m.cropBytes),
      detail: `x·F = ${m.x.toFixed(3)}·${m.frameBytes.toFixed(0)}, y·F = ${m.y.toFixed(3)}·${m.frameBytes.toFixed(0)}, y·n·C = ${m.y.toFixed(3)}·${m.persons.toFixed(3)}·${m.cropBytes.toFixed(0)}`,
    });
  }
  return checks;
}

const pct = (v: number): string => `${(100 * v).toFixed(2)}%`;

/** The targets on vtest.avi (reported, not asserted). */
export function targetRows(runs: readonly RunReport[], baseline?: Omit<AccuracyResult, 'pairs'>, sourceBytes?: number): ReportTarget[] {
  const rows: ReportTarget[] = [];
  for (const run of runs) {
    const name = runName(run);
    const t = run.bandwidth.totals;
    if (run.policy === 'video' && sourceBytes) {
      const share = t.roofToFog / sourceBytes;
      rows.push({ run: name, name: 'roof→fog share of the source file (video, issue 17)', target: '<= 50%', value: pct(share), met: share <= 0.5 });
    }
    if (run.policy === 'regions') {
      const share = t.roofToFog / t.raw;
      rows.push({ run: name, name: 'roof→fog share of raw (regions)', target: '<= 25%', value: pct(share), met: share <= 0.25 });
    }
    const cloudShare = t.fogToCloud / t.raw;
    rows.push({ run: name, name: 'fog→cloud share of raw', target: '<= 1%', value: pct(cloudShare), met: cloudShare <= 0.01 });
    if (run.accuracy && baseline) {
      const gap = baseline.ap50 - run.accuracy.ap50;
      rows.push({ run: name, name: 'person AP50 vs every-frame baseline', target: 'within 0.02', value: `${run.accuracy.ap50.toFixed(3)} vs ${baseline.ap50.toFixed(3)} (Δ ${(-gap).toFixed(3)})`, met: gap <= 0.02 });
    }
    if (run.coverage) rows.push({ run: name, name: 'track coverage', target: '>= 90%', value: `${pct(run.coverage.coverage)} (${run.coverage.covered}/${run.coverage.identities})`, met: run.coverage.coverage >= 0.9 });
  }
  return rows;
}
