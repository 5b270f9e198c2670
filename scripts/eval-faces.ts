/**
 * npm run eval:faces -- DIR [--threshold T] [--max-far 0.05]
 *
 * DIR holds `<person>/<images>`. Every image is embedded exactly as the cloud embeds a crop (Human on
 * wasm, same padding, detector threshold and description model as the CloudConfig defaults), then:
 * leave-one-out rank-1 identification accuracy, false-accept / false-reject rates of all
 * same-vs-different pairs at the configured threshold and around it, and the stranger accept rate
 * (each person left out of the gallery in turn: how often they would pass for somebody).
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CloudConfig } from '@sentinel/config';
import { LabelledEmbedding, evaluate, pairRates, strangerAcceptRate, thresholdForFalseAccept } from '@sentinel/face-recognition';
import { HumanRuntime, embedFaces } from '@sentinel/human';

const IMAGE = /\.(png|jpe?g|webp)$/i;

function argValue(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const dir = args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
  if (!dir) {
    console.error('usage: npm run eval:faces -- DIR [--threshold T] [--max-far 0.05]');
    process.exit(2);
  }
  const cloud = new CloudConfig();
  const threshold = Number(argValue(args, '--threshold') ?? cloud.matchThreshold);
  const maxFar = Number(argValue(args, '--max-far') ?? 0.05);
  const runtime = HumanRuntime.shared({ descriptionModel: cloud.descriptionModel });
  await runtime.ready();

  const items: LabelledEmbedding[] = [];
  const problems: string[] = [];
  const started = performance.now();
  for (const person of (await readdir(resolve(dir))).sort()) {
    const folder = join(resolve(dir), person);
    if (!(await stat(folder)).isDirectory()) continue;
    for (const file of (await readdir(folder)).filter((f) => IMAGE.test(f)).sort()) {
      try {
        const faces = await embedFaces(await readFile(join(folder, file)), { padRatio: cloud.cropPadding, padMax: 64, minScore: cloud.minFaceScore }, runtime);
        if (faces.length === 0) problems.push(`${person}/${file}: no face found`);
        else items.push({ label: person, file: `${person}/${file}`, embedding: faces.sort((a, b) => b.score - a.score)[0].embedding });
      } catch (error) {
        problems.push(`${person}/${file}: ${(error as Error).message}`);
      }
    }
  }
  const perImage = (performance.now() - started) / Math.max(1, items.length + problems.length);
  const report = evaluate(items);
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const median = (xs: number[]) => (xs.length ? xs[Math.floor(xs.length / 2)] : NaN);

  console.log(`\nFace evaluation of ${resolve(dir)} (model ${cloud.descriptionModel}, ${perImage.toFixed(0)} ms per image incl. decode)`);
  console.log(`images embedded: ${items.length}, people: ${report.people}, without a face or unreadable: ${problems.length}`);
  for (const p of problems) console.log(`  ! ${p}`);
  console.log(`\n| metric | value |\n|---|---|`);
  console.log(`| leave-one-out rank-1 | ${report.rank1.correct}/${report.rank1.total} = ${pct(report.rank1.accuracy)} |`);
  const at = pairRates(report, threshold);
  console.log(`| same-person pairs / different-person pairs | ${report.samePairs.length} / ${report.differentPairs.length} |`);
  console.log(`| similarity same: min / median | ${report.samePairs[0]?.toFixed(3)} / ${median(report.samePairs).toFixed(3)} |`);
  console.log(`| similarity different: median / max | ${median(report.differentPairs).toFixed(3)} / ${report.differentPairs.at(-1)?.toFixed(3)} |`);
  console.log(`| threshold (configured) | ${threshold} |`);
  console.log(`| false accepts at threshold | ${pct(at.falseAcceptRate)} |`);
  console.log(`| false rejects at threshold | ${pct(at.falseRejectRate)} |`);
  console.log(`| stranger accepted as somebody at threshold | ${pct(strangerAcceptRate(items, threshold))} |`);
  console.log(`| lowest threshold with false accepts <= ${pct(maxFar)} | ${thresholdForFalseAccept(report, maxFar)} |`);
  for (const miss of report.rank1.misses) console.log(`  rank-1 miss: ${miss.file} -> ${miss.got} (${miss.similarity.toFixed(3)})`);

  console.log(`\n| threshold | false accept | false reject | stranger accepted |\n|---|---|---|---|`);
  for (let t = 0.4; t <= 0.701; t += 0.025) {
    const r = pairRates(report, Math.round(t * 1000) / 1000);
    const mark = Math.abs(r.threshold - threshold) < 1e-9 ? ' (configured)' : '';
    console.log(`| ${r.threshold.toFixed(3)}${mark} | ${pct(r.falseAcceptRate)} | ${pct(r.falseRejectRate)} | ${pct(strangerAcceptRate(items, r.threshold))} |`);
  }
  const ok = report.rank1.accuracy >= 0.9 && at.falseAcceptRate <= maxFar;
  console.log(`\nrank-1 >= 90%: ${report.rank1.accuracy >= 0.9 ? 'yes' : 'NO'}; false accepts <= ${pct(maxFar)} at ${threshold}: ${at.falseAcceptRate <= maxFar ? 'yes' : 'NO'}`);
  process.exitCode = ok ? 0 : 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
