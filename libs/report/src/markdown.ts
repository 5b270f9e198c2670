import { KB, shareOfRaw } from './formula';
import { formatKBps } from './chart';
import { Report, RunReport, runName } from './report-data';
import type { BandwidthRates, FormulaParameters } from './formula';
import type { AccuracyResult } from '@sentinel/evaluation';

const pct = (v: number): string => (Number.isFinite(v) ? `${(100 * v).toFixed(v < 0.01 ? 2 : 1)}%` : 'n/a');
const num = (v: number, digits = 2): string => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');
const ms = (v: number): string => (Number.isFinite(v) ? (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)) : 'n/a');
const bytes = (b: number): string => (b >= 1e6 ? `${(b / 1e6).toFixed(2)} MB` : `${(b / KB).toFixed(1)} KB`);

function formulaRow(label: string, p: FormulaParameters, r: BandwidthRates): string {
  const s = shareOfRaw(r);
  return `| ${label} | ${num(p.x)} | ${num(p.y)} | ${num(p.frameBytes / KB, 1)} | ${num(p.cropBytes / KB, 2)} | ${num(p.persons)} | ${formatKBps(r.raw)} | ${formatKBps(r.roofToFog)} (${pct(s.roofToFog)}) | ${formatKBps(r.fogToCloud)} (${pct(s.fogToCloud)}) |`;
}

function measuredRow(run: RunReport): string {
  const r = run.bandwidth.perSecond;
  const s = shareOfRaw(r);
  return `| **measured**, ${runName(run)} | | | | | | **${formatKBps(r.raw)}** | **${formatKBps(r.roofToFog)} (${pct(s.roofToFog)})** | **${formatKBps(r.fogToCloud)} (${pct(s.fogToCloud)})** |`;
}

function accuracyRow(label: string, a: Omit<AccuracyResult, 'pairs'>): string {
  return `| ${label} | ${a.framesDetected}/${a.frames} | ${a.positives} | ${a.missedUnforwarded} | ${a.truePositives} | ${a.falsePositives} | ${a.ignored} | ${num(a.precision, 3)} | ${num(a.recall, 3)} | **${num(a.ap50, 3)}** |`;
}

const COUNT_ROWS: readonly [string, (r: RunReport) => string][] = [
  ['frames decoded', (r) => String(r.counts.frames)],
  ['frames changed', (r) => String(r.counts.changedFrames)],
  ['frame messages forwarded (whole frames + region sets)', (r) => `${r.counts.forwardedMessages} (${r.counts.forwardedFullFrames} + ${r.counts.forwardedRegionSets})`],
  ['regions forwarded', (r) => String(r.counts.forwardedRegions)],
  [
    'frames processed by the fog (of region sets: rebuilt into the whole frame / detected region by region)',
    (r) => `${r.counts.fogFrames} (${r.counts.fogFramesRebuilt ?? '-'} / ${r.counts.fogFramesRegionsAlone ?? '-'})`,
  ],
  ['detections (persons)', (r) => `${r.counts.detections} (${r.counts.personDetections})`],
  ['tracks started (persons)', (r) => `${r.counts.tracks} (${r.counts.personTracks})`],
  ['crops sent to the cloud (face + person)', (r) => `${r.counts.cropsSent} (${r.counts.faceCrops} + ${r.counts.personCrops})`],
  ['face searches at the fog', (r) => String(r.counts.faceSearches)],
  ['crops received by the cloud (of which no face found)', (r) => `${r.counts.cloudCrops} (${r.counts.cloudCropsWithoutFace})`],
  ['identities (known + unknown)', (r) => `${r.counts.identitiesKnown + r.counts.identitiesUnknown} (${r.counts.identitiesKnown} + ${r.counts.identitiesUnknown})`],
  ['intruder alerts raised', (r) => String(r.counts.intruderAlerts)],
  ['alerts received / notified / suppressed by cooldown', (r) => `${r.counts.alertsReceived} / ${r.counts.alertsNotified} / ${r.counts.alertsSuppressed}`],
  ['fog drops', (r) => Object.entries(r.counts.fogDrops).map(([k, v]) => `${k} ${v}`).join(', ') || '0'],
  ['link emits not delivered', (r) => String(r.counts.linkNotDelivered)],
  ['wall time (s), frames/s processed', (r) => `${num(r.wallSeconds, 1)}, ${num(r.counts.frames / r.wallSeconds, 1)}`],
];

function perCameraTable(run: RunReport): string[] {
  const evaluated = run.perCamera!.some((c) => c.accuracy);
  const lines = [
    `### ${runName(run)}`,
    '',
    `| camera | frames decoded / forwarded / processed | roof→fog | fog→cloud | detections (persons) | face crops | capture→detection p50 / p95 (ms) |${evaluated ? ' AP50 | precision | recall | track coverage |' : ''}`,
    `|---|---|---|---|---|---|---|${evaluated ? '---|---|---|---|' : ''}`,
  ];
  for (const c of run.perCamera!) {
    const quality = evaluated ? ` ${c.accuracy ? `${num(c.accuracy.ap50, 3)} | ${num(c.accuracy.precision, 3)} | ${num(c.accuracy.recall, 3)}` : '| |'} | ${c.coverage ? `${c.coverage.covered}/${c.coverage.identities}` : ''} |` : '';
    lines.push(
      `| ${c.cameraId} | ${c.framesDecoded} / ${c.framesForwarded} / ${c.framesProcessed} | ${bytes(c.roofToFogBytes)} | ${bytes(c.fogToCloudBytes)} | ${c.detections} (${c.personDetections}) | ${c.faceCrops} | ${ms(c.captureToDetectionMs.p50)} / ${ms(c.captureToDetectionMs.p95)} |${quality}`,
    );
  }
  return lines;
}

const latencyCell = (run: RunReport): string => {
  const detection = run.perCamera?.[0]?.captureToDetectionMs;
  const cloud = run.stages.find((row) => row.stage === 'capture-to-cloud');
  return `${detection ? `${ms(detection.p50)} / ${ms(detection.p95)}` : '-'} | ${cloud ? `${ms(cloud.p50)} / ${ms(cloud.p95)}` : '-'}`;
};

/**
 * roof→fog of each run beside the two baselines a user compares with: every frame as JPEG (the
 * paper's raw) and the camera's own stream (the source file forwarded as it is), with AP50 and
 * latency from the same run.
 */
function streamComparison(report: Report): string[] {
  const stream = report.sourceStream;
  const first = report.runs[0];
  if (!stream || !first) return [];
  const raw = first.bandwidth.totals.raw;
  const out = ['### roof→fog against the camera\'s own stream', ''];
  out.push(
    `The camera's own stream is the source file forwarded as it is (restreaming, no re-encode): ${bytes(stream.fileBytes)}${stream.fileSeconds ? ` for ${num(stream.fileSeconds, 1)} s` : ''}, scaled to the ${num(stream.runSeconds, 1)} s of video the runs covered. Raw JPEG is every frame encoded at the roof's quality (the paper's baseline); its AP50 is the same detector on every ground-truth frame, no gating. Latency: capture at the roof to detection at the fog (detection log, first camera) and to the cloud's decision on a crop; runs that are not paced include the time a frame waits behind earlier ones.`,
    '',
  );
  out.push('| roof→fog | bytes | KB/s | share of raw JPEG | share of the source file | person AP50 | capture→detection p50 / p95 (ms) | capture→cloud p50 / p95 (ms) |');
  out.push('|---|---|---|---|---|---|---|---|');
  const row = (label: string, b: number, perSecond: number, ap: string, latency: string) =>
    `| ${label} | ${bytes(b)} | ${formatKBps(perSecond)} | ${pct(b / raw)} | ${pct(b / stream.bytes)} | ${ap} | ${latency} |`;
  out.push(row('raw: every frame as JPEG (paper\'s baseline)', raw, first.bandwidth.perSecond.raw, report.baseline ? num(report.baseline.ap50, 3) : '', '- | -'));
  out.push(row('the camera\'s own stream (source file as it is)', stream.bytes, stream.bytesPerSecond, '', '- | -'));
  for (const run of report.runs) out.push(row(`**${runName(run)}**`, run.bandwidth.totals.roofToFog, run.bandwidth.perSecond.roofToFog, run.accuracy ? `**${num(run.accuracy.ap50, 3)}**` : '', latencyCell(run)));
  out.push('');
  return out;
}

/** The report as Markdown (tables reference `bandwidth.svg` beside it). */
export function renderMarkdown(report: Report): string {
  const out: string[] = [];
  const runs = report.runs;
  const first = runs[0];
  out.push(`# edge-sentinel evaluation report`, '');
  out.push(`- Source: \`${report.source}\`${first ? ` (${first.video.width}x${first.video.height}, ${num(first.video.fps, 1)} fps, ${first.video.frames} frames = ${num(first.video.seconds, 1)} s of video)` : ''}`);
  out.push(`- Detector: ${report.model.description}${report.model.path ? ` (\`${report.model.path}\`, family ${report.model.family})` : ''}`);
  out.push(`- Roof JPEG quality ${report.roof.jpegQuality}; runs: ${runs.map((r) => `${runName(r)}${r.paced ? ' (paced)' : ''}`).join(', ')}; not paced unless said: every frame is processed as fast as the pipeline goes (backpressure, nothing dropped).`);
  if (report.groundTruth) out.push(`- Ground truth: \`${report.groundTruth.path}\`: ${report.groundTruth.frames} frames, ${report.groundTruth.boxes} boxes, ${report.groundTruth.identities} identities`);
  out.push(`- Generated ${report.generatedAt} by \`${report.command}\``, '');

  out.push('## Bandwidth', '');
  out.push('The paper\'s formula: raw = x·F, roof→fog = y·F, fog→cloud = y·n·C (KB = 1000 bytes; rates per second of video).', '');
  out.push('| row | x (fps) | y (fps) | F (KB) | C (KB) | n | raw (KB/s) | roof→fog (KB/s, % raw) | fog→cloud (KB/s, % raw) |');
  out.push('|---|---|---|---|---|---|---|---|---|');
  out.push(formulaRow('paper formula, paper parameters', report.paper.parameters, report.paper.rates));
  for (const run of runs) {
    out.push(formulaRow(`paper formula, measured parameters, ${runName(run)}`, run.bandwidth.parameters, run.bandwidth.formula));
    out.push(measuredRow(run));
  }
  out.push('');
  out.push('x: frames per second of video; y: frame messages forwarded per second; F: mean size of a whole frame as JPEG at the roof\'s quality; C: mean `face.crop` message on the wire; n: mean person detections per frame the fog processed. Measured rows are the link ledger\'s wire bytes (MessagePack message, plus the 4-byte length prefix on TCP) of `frame.changed` (roof→fog) and `face.crop` (fog→cloud); raw is every decoded frame really encoded as JPEG at the roof\'s quality.', '');
  out.push('![bandwidth per hop](bandwidth.svg)', '');
  out.push('| run | raw (JPEG) | roof→fog wire (JPEG inside) | fog→cloud wire (JPEG inside) | acks back (roof←fog, fog←cloud) |');
  out.push('|---|---|---|---|---|');
  for (const run of runs) {
    const t = run.bandwidth.totals;
    const p = run.bandwidth.payload;
    out.push(`| ${runName(run)} | ${bytes(t.raw)} | ${bytes(t.roofToFog)} (${bytes(p.roofToFog)}) | ${bytes(t.fogToCloud)} (${bytes(p.fogToCloud)}) | ${bytes(run.bandwidth.ackBytes.roofToFog ?? 0)}, ${bytes(run.bandwidth.ackBytes.fogToCloud ?? 0)} |`);
  }
  out.push('');
  out.push(...streamComparison(report));

  out.push('## Latency (ms)', '');
  out.push(`p50 / p95 / p99 per stage (count of samples in brackets).${runs.some((r) => !r.paced) ? ' Runs that are not paced decode frames ahead of the detector, so `end-to-end` (capture to alert) includes the time a frame waits behind earlier frames; a paced (live) run shows the latency a camera would see.' : ''}`, '');
  const stageNames: string[] = [];
  for (const run of runs) for (const row of run.stages) if (!stageNames.includes(row.stage)) stageNames.push(row.stage);
  out.push(`| stage | what | ${runs.map(runName).join(' | ')} |`);
  out.push(`|---|---|${runs.map(() => '---').join('|')}|`);
  for (const stage of stageNames) {
    const meaning = runs.flatMap((r) => r.stages).find((row) => row.stage === stage)?.meaning ?? '';
    const cells = runs.map((run) => {
      const row = run.stages.find((r) => r.stage === stage);
      return row ? `${ms(row.p50)} / ${ms(row.p95)} / ${ms(row.p99)} (${row.count})` : '';
    });
    out.push(`| ${stage === 'end-to-end' ? '**end-to-end**' : `\`${stage}\``} | ${meaning} | ${cells.join(' | ')} |`);
  }
  out.push('');

  out.push('## Counts', '');
  out.push(`| | ${runs.map(runName).join(' | ')} |`);
  out.push(`|---|${runs.map(() => '---').join('|')}|`);
  for (const [label, cell] of COUNT_ROWS) out.push(`| ${label} | ${runs.map(cell).join(' | ')} |`);
  out.push('');

  if (runs.some((r) => r.identities)) {
    out.push('## Identities (the cloud\'s decisions, with --gallery)', '');
    out.push(`| | ${runs.map(runName).join(' | ')} |`);
    out.push(`|---|${runs.map(() => '---').join('|')}|`);
    const cell = (r: (typeof runs)[number], pick: (i: NonNullable<(typeof runs)[number]['identities']>) => string) => (r.identities ? pick(r.identities) : '-');
    out.push(`| known (decisions naming them) | ${runs.map((r) => cell(r, (i) => i.known.map((k) => `${k.name} ${k.sightings}`).join(', ') || 'none')).join(' | ')} |`);
    out.push(`| unknown identities | ${runs.map((r) => cell(r, (i) => String(i.unknown))).join(' | ')} |`);
    out.push(`| undecided decisions | ${runs.map((r) => cell(r, (i) => String(i.undecided))).join(' | ')} |`);
    out.push(`| intruder alerts | ${runs.map((r) => cell(r, (i) => String(i.intruderAlerts))).join(' | ')} |`);
    out.push(`| face crops sent | ${runs.map((r) => cell(r, (i) => String(i.faceCropsSent))).join(' | ')} |`);
    out.push('');
  }

  if (report.baseline || runs.some((r) => r.accuracy)) {
    out.push('## Accuracy (persons, IoU 0.5)', '');
    out.push('Over the ground-truth frames. A frame the roof did not forward counts its people as missed; in `regions` mode only the changed regions reach the detector. Boxes with flag 0 are ignored (neither hit nor false positive), boxes running past the image edge are clipped.', '');
    out.push('| run | GT frames detected | GT persons | missed (not forwarded) | TP | FP | ignored | precision | recall | AP50 |');
    out.push('|---|---|---|---|---|---|---|---|---|---|');
    if (report.baseline) out.push(accuracyRow('baseline: same detector on every GT frame, no gating', report.baseline));
    for (const run of runs) if (run.accuracy) out.push(accuracyRow(runName(run), run.accuracy));
    out.push('');
    const covered = runs.filter((r) => r.coverage);
    if (covered.length) {
      out.push('Track coverage: a ground-truth identity is covered when a track matched to it on some ground-truth frame had at least one crop delivered to the cloud.', '');
      out.push('| run | identities | covered | coverage | not covered (GT ids) |');
      out.push('|---|---|---|---|---|');
      for (const run of covered) out.push(`| ${runName(run)} | ${run.coverage!.identities} | ${run.coverage!.covered} | **${pct(run.coverage!.coverage)}** | ${run.coverage!.uncoveredIds.join(', ') || '-'} |`);
      out.push('');
    }
  }

  const multiCamera = runs.filter((r) => (r.perCamera?.length ?? 0) > 1);
  if (multiCamera.length) {
    out.push('## Per camera', '');
    out.push('Each camera is a copy of the source (scored against the same ground truth). Latency: frame capture at the roof to detection done at the fog, from the detection log (not paced, it includes the time a frame waits behind earlier frames of every camera).', '');
    for (const run of multiCamera) out.push(...perCameraTable(run), '');
  }

  out.push('## Targets (issues 4 and 17)', '');
  out.push('| run | target | wanted | measured | met |');
  out.push('|---|---|---|---|---|');
  for (const t of report.targets) out.push(`| ${t.run} | ${t.name} | ${t.target} | ${t.value} | ${t.met === null ? 'n/a' : t.met ? 'yes' : '**no**'} |`);
  out.push('');
  out.push('## Consistency checks', '');
  for (const c of report.checks) out.push(`- ${c.ok ? '✓' : '✗ FAILED'} ${c.name}: ${c.detail}`);
  out.push('');
  return `${out.join('\n')}\n`;
}
