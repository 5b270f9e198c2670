/**
 * npm run eval:faces -- --gallery DIR --probe DIR [--json]
 * npm run eval:faces -- --loo DIR | --lopo DIR [--json]          (DIR alone means --loo DIR)
 *   options: --upper T --lower T (default: the thresholds of the similarity space in use, `thresholdsFor`:
 *            cloud.matchThreshold / cloud.unknownThreshold centered, cloud.rawMatchThreshold / cloud.rawUnknownThreshold raw),
 *            --centering gallery|none, --align true|false, --model NAME|/abs/model.json (default: CloudConfig),
 *            --cache DIR (embeddings cached per model variant and file; reused on the next run)
 *
 * Folders hold `<person>/<images>`. Every image is embedded exactly as the cloud embeds a crop (Human on
 * wasm, same padding, detector threshold, alignment and description model), then scored as the cloud's
 * matcher does (best enrolled face per person, gallery-mean centering from the gallery only).
 * - --gallery/--probe: enroll one folder, test the other; probe people absent from the gallery are strangers.
 * - --loo: each image against all the others.
 * - --lopo: each person in turn left out (a stranger); in that fold every other image is a known probe
 *   against the rest. Also prints the thresholds the default rule gives (README, Figures), and simulates
 *   tracks (every subset of up to 3 images of one person as one track, run through the cloud's TrackBook):
 *   before/after the track-end rule at the configured values (in-sample), the track-end values the rule
 *   gives, and the nested estimate (every track decided by rules fitted without its person).
 *   --end-threshold T --end-margin M override the configured track-end rule.
 * With --json the last line is one JSON object: { mode, model, thresholds, counts, rates, sweep, rule?, msPerImage }.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CloudConfig, CloudCentering, CloudCenterings } from '@sentinel/config';
import {
  LabelledEmbedding,
  MIN_ENROLLED_IMAGES,
  NestedTrackEstimate,
  ProbeCase,
  TrackCounts,
  TrackEndRule,
  SimilaritySpace,
  Thresholds,
  countOutcomes,
  embeddingModelName,
  leaveOneOut,
  leaveOnePersonOut,
  leaveOnePersonOutTracks,
  countTracks,
  nestedTrackEstimate,
  scoreProbes,
  similaritySpaceOf,
  sweep,
  thresholdsByRule,
  thresholdsFor,
  trackEndRuleByData,
  trackEndRuleFor,
} from '@sentinel/face-recognition';
import { HumanRuntime, embedFaces } from '@sentinel/human';

const IMAGE = /\.(png|jpe?g|webp)$/i;
const USAGE = 'usage: npm run eval:faces -- (--gallery DIR --probe DIR | --loo DIR | --lopo DIR) [--json] [--upper T] [--lower T] [--centering gallery|none] [--align true|false] [--model M] [--cache DIR]';

interface Options {
  mode: 'gallery-probe' | 'loo' | 'lopo';
  gallery?: string;
  probe?: string;
  dir?: string;
  json: boolean;
  /** --upper / --lower given on the command line; the rest come from the similarity space in use. */
  thresholds: Partial<Thresholds>;
  /** --end-threshold / --end-margin given on the command line; the rest from the configured track-end rule. */
  endRule: Partial<TrackEndRule>;
  centering: CloudCentering;
  align: boolean;
  model: string;
  cache?: string;
}

function fail(message: string): never {
  console.error(`eval:faces: ${message}\n${USAGE}`);
  process.exit(2);
}

function parseArgs(argv: string[]): Options {
  const cloud = new CloudConfig();
  const values = new Map<string, string>();
  let json = false;
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--json') json = true;
    else if (arg.startsWith('--')) {
      if (argv[i + 1] === undefined) fail(`${arg} needs a value`);
      values.set(arg.slice(2), argv[++i]);
    } else positional.push(arg);
  }
  const known = ['gallery', 'probe', 'loo', 'lopo', 'upper', 'lower', 'end-threshold', 'end-margin', 'centering', 'align', 'model', 'cache'];
  for (const key of values.keys()) if (!known.includes(key)) fail(`unknown option --${key}`);
  const number = (key: string): number | undefined => {
    if (!values.has(key)) return undefined;
    const value = Number(values.get(key));
    if (!Number.isFinite(value) || value < -1 || value > 1) fail(`--${key} must be a number in -1..1`);
    return value;
  };
  const thresholds = { upper: number('upper'), lower: number('lower') };
  const endRule = { endThreshold: number('end-threshold'), minMargin: number('end-margin') };
  const centering = (values.get('centering') ?? cloud.centering) as CloudCentering;
  if (!CloudCenterings.includes(centering)) fail(`--centering must be one of ${CloudCenterings.join(', ')}`);
  const alignText = values.get('align') ?? String(cloud.alignFaces);
  if (alignText !== 'true' && alignText !== 'false') fail('--align must be true or false');
  const common = { json, thresholds, endRule, centering, align: alignText === 'true', model: values.get('model') ?? cloud.descriptionModel, cache: values.get('cache') };
  if (values.has('gallery') || values.has('probe')) {
    if (!values.has('gallery') || !values.has('probe')) fail('--gallery and --probe go together');
    return { ...common, mode: 'gallery-probe', gallery: values.get('gallery'), probe: values.get('probe') };
  }
  if (values.has('lopo')) return { ...common, mode: 'lopo', dir: values.get('lopo') };
  const dir = values.get('loo') ?? positional[0];
  if (!dir) fail('no folder given');
  return { ...common, mode: 'loo', dir };
}

/** Embeds every `<person>/<image>` of a folder as the cloud does; cached per model variant and file content. */
class FolderEmbedder {
  private readonly runtime: HumanRuntime;
  private readonly cloud = new CloudConfig();
  readonly problems: string[] = [];
  embedded = 0;
  embedMs = 0;

  constructor(private readonly options: Options) {
    this.runtime = HumanRuntime.shared({ descriptionModel: options.model });
  }

  get variant(): string {
    return embeddingModelName(this.options.model, this.options.align);
  }

  async embedFolder(dir: string): Promise<LabelledEmbedding[]> {
    const root = resolve(dir);
    if (!existsSync(root) || !(await stat(root)).isDirectory()) fail(`${root} is not a folder`);
    const items: LabelledEmbedding[] = [];
    for (const person of (await readdir(root)).sort()) {
      const folder = join(root, person);
      if (!(await stat(folder)).isDirectory()) continue;
      for (const file of (await readdir(folder)).filter((f) => IMAGE.test(f)).sort()) {
        const embedding = await this.embedImage(join(folder, file), `${person}/${file}`);
        if (embedding) items.push({ label: person, file: `${person}/${file}`, embedding });
      }
    }
    return items;
  }

  private async embedImage(path: string, name: string): Promise<Float32Array | undefined> {
    const bytes = await readFile(path);
    const cached = this.cacheFile(bytes);
    if (cached && existsSync(cached)) return new Float32Array(JSON.parse(readFileSync(cached, 'utf8')) as number[]);
    try {
      const started = performance.now();
      const faces = await embedFaces(
        bytes,
        { padRatio: this.cloud.cropPadding, padMax: 64, minScore: this.cloud.minFaceScore, maxFaces: 1, align: this.options.align },
        this.runtime,
      );
      this.embedMs += performance.now() - started;
      this.embedded++;
      if (faces.length === 0) {
        this.problems.push(`${name}: no face found`);
        return undefined;
      }
      if (cached) writeFileSync(cached, JSON.stringify(Array.from(faces[0].embedding)));
      return faces[0].embedding;
    } catch (error) {
      this.problems.push(`${name}: ${(error as Error).message}`);
      return undefined;
    }
  }

  private cacheFile(bytes: Buffer): string | undefined {
    if (!this.options.cache) return undefined;
    const folder = join(resolve(this.options.cache), this.variant.replace(/[^A-Za-z0-9+._-]/g, '_'));
    mkdirSync(folder, { recursive: true });
    return join(folder, `${createHash('sha256').update(bytes).digest('hex').slice(0, 32)}.json`);
  }
}

const definedOnly = <T extends object>(given: Partial<T>): Partial<T> => Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) as Partial<T>;

const pct = (part: number, whole: number): string => (whole ? `${((100 * part) / whole).toFixed(1)}%` : 'n/a');

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const embedder = new FolderEmbedder(options);
  let cases: ProbeCase[];
  let source: string;
  let space: SimilaritySpace;
  let items: LabelledEmbedding[] | undefined;
  if (options.mode === 'gallery-probe') {
    const gallery = await embedder.embedFolder(options.gallery!);
    const probes = await embedder.embedFolder(options.probe!);
    space = similaritySpaceOf(gallery, options.centering);
    cases = scoreProbes(gallery, probes, options.centering);
    source = `gallery ${resolve(options.gallery!)} (${gallery.length} images), probes ${resolve(options.probe!)} (${probes.length})`;
  } else {
    items = await embedder.embedFolder(options.dir!);
    space = similaritySpaceOf(items, options.centering);
    cases = options.mode === 'loo' ? leaveOneOut(items, options.centering) : leaveOnePersonOut(items, options.centering);
    source = `${resolve(options.dir!)} (${items.length} images, ${new Set(items.map((i) => i.label)).size} people)`;
  }
  const thresholds: Thresholds = { ...thresholdsFor(space, new CloudConfig()), ...definedOnly(options.thresholds) };
  if (thresholds.lower > thresholds.upper) fail(`lower threshold ${thresholds.lower} must not exceed upper ${thresholds.upper}`);
  const counts = countOutcomes(cases, thresholds);
  const rows = sweep(cases, -0.1, 0.9, 0.025);
  const rule = options.mode === 'lopo' ? thresholdsByRule(cases) : undefined;
  const msPerImage = embedder.embedded ? embedder.embedMs / embedder.embedded : undefined;
  const { upper, lower } = thresholds;

  console.log(`\nFace evaluation (${options.mode}) of ${source}`);
  console.log(`model ${embedder.variant}, centering ${options.centering} (${space} cosines), thresholds upper ${upper} / lower ${lower}` +
    (msPerImage !== undefined ? `, ${msPerImage.toFixed(0)} ms per image embedded (decode + Human)` : ', all embeddings from the cache'));
  for (const problem of embedder.problems) console.log(`  ! ${problem}`);
  console.log('\n| metric | value |\n|---|---|');
  console.log(`| rank-1 (known probes) | ${counts.rank1Correct}/${counts.knownProbes} = ${pct(counts.rank1Correct, counts.knownProbes)} |`);
  console.log(`| wrong-person accepts | ${counts.wrongPersonAccepts}/${counts.knownProbes} = ${pct(counts.wrongPersonAccepts, counts.knownProbes)} |`);
  console.log(`| stranger accepts | ${counts.strangerAccepts}/${counts.strangerProbes} = ${pct(counts.strangerAccepts, counts.strangerProbes)} |`);
  console.log(`| false rejects (known probe < lower) | ${counts.falseRejects}/${counts.knownProbes} = ${pct(counts.falseRejects, counts.knownProbes)} |`);
  console.log(`| undecided (all probes between) | ${counts.undecided}/${cases.length} = ${pct(counts.undecided, cases.length)} |`);
  if (rule) console.log(`| thresholds by the rule (max stranger + 0.02 / min genuine - 0.02) | upper ${rule.upper} / lower ${rule.lower} |`);
  for (const miss of cases.filter((c) => c.enrolled && c.top !== c.label)) console.log(`  rank-1 miss: ${miss.file} -> ${miss.top} (${miss.similarity.toFixed(3)})`);
  for (const c of cases.filter((c) => c.similarity >= lower && c.similarity < upper)) {
    console.log(`  undecided: ${c.file}${c.enrolled ? '' : ' (stranger)'} nearest ${c.top} (${c.similarity.toFixed(3)})`);
  }
  console.log('\n| single threshold | wrong-person accept | stranger accept | false reject |\n|---|---|---|---|');
  for (const row of rows.filter((r) => r.threshold >= lower - 0.2 && r.threshold <= upper + 0.2)) {
    const mark = Math.abs(row.threshold - upper) < 1e-9 ? ' (upper)' : Math.abs(row.threshold - lower) < 1e-9 ? ' (lower)' : '';
    console.log(`| ${row.threshold.toFixed(3)}${mark} | ${pct(row.wrongPersonAcceptRate, 1)} | ${pct(row.strangerAcceptRate, 1)} | ${pct(row.falseRejectRate, 1)} |`);
  }
  let tracks:
    | { endRule: TrackEndRule; before: TrackCounts; after: TrackCounts; rule?: TrackEndRule; nested: NestedTrackEstimate; oneEnrolled: { before: TrackCounts; after: TrackCounts; nested: NestedTrackEstimate } }
    | undefined;
  if (options.mode === 'lopo') {
    const cloud = new CloudConfig();
    const endRule: TrackEndRule = { ...trackEndRuleFor(space, cloud), ...definedOnly(options.endRule) };
    const trackCases = leaveOnePersonOutTracks(items!, options.centering);
    tracks = {
      endRule,
      before: countTracks(trackCases, thresholds, undefined, cloud.trackTopK),
      after: countTracks(trackCases, thresholds, endRule, cloud.trackTopK),
      rule: trackEndRuleByData(trackCases, rule ?? thresholds, cloud.trackTopK),
      nested: nestedTrackEstimate(items!, options.centering, cloud.trackTopK),
      oneEnrolled: (() => {
        const hard = leaveOnePersonOutTracks(items!, options.centering, 1);
        return {
          before: countTracks(hard, thresholds, undefined, cloud.trackTopK),
          after: countTracks(hard, thresholds, endRule, cloud.trackTopK),
          nested: nestedTrackEstimate(items!, options.centering, cloud.trackTopK, 1),
        };
      })(),
    };
    const t = tracks;
    console.log(`\nTracks (every subset of up to 3 images of one person = one track, known people keeping ${MIN_ENROLLED_IMAGES} images enrolled; TrackBook, trackTopK ${cloud.trackTopK}, equal weights)`);
    console.log(`track end: endThreshold ${endRule.endThreshold} / minMargin ${endRule.minMargin}` +
      (t.rule ? `; the rule (lowest pooled best of a known track - 0.02 / lowest pooled margin - 0.02) gives ${t.rule.endThreshold} / ${t.rule.minMargin}` : ''));
    const row = (name: string, c: TrackCounts) =>
      `| ${name} | ${c.strangerAlerted}/${c.strangerTracks} (${c.strangerAlertedAtEnd} at end) | ${c.strangerAccepts} | ${c.strangerUndecided} | ` +
      `${c.knownNamedCorrectly}/${c.knownTracks} | ${c.knownNamedWrong} | ${c.knownAlerted} (${c.knownAlertedAtEnd} at end) | ${c.knownUndecided} |`;
    console.log('\n| tracks | strangers alerted | strangers accepted as someone | strangers undecided | enrolled named right | named wrong | enrolled alerted as intruders | enrolled undecided |');
    console.log('|---|---|---|---|---|---|---|---|');
    console.log(row('configured, no track-end rule (in-sample)', t.before));
    console.log(row('configured, with the track-end rule (in-sample)', t.after));
    console.log(row('nested (rules fitted without the track\'s person), no track-end rule', t.nested.before));
    console.log(row('nested, with the track-end rule', t.nested.after));
    console.log('| *stress: known tracks with 1 image of the person enrolled (never used to fit)* | | | | | | | |');
    console.log(row('configured, no track-end rule (in-sample)', t.oneEnrolled.before));
    console.log(row('configured, with the track-end rule (in-sample)', t.oneEnrolled.after));
    console.log(row('nested, no track-end rule', t.oneEnrolled.nested.before));
    console.log(row('nested, with the track-end rule', t.oneEnrolled.nested.after));
    const f = t.nested.fitted;
    if (f) console.log(`  nested fits (one per held-out person or pair): upper ${f.upper.join('..')}, lower ${f.lower.join('..')}, endThreshold ${f.endThreshold.join('..')}, minMargin ${f.minMargin.join('..')}`);
    if (t.nested.skipped) console.log(`  (${t.nested.skipped} nested fits skipped: too few people)`);
  }
  if (options.json) {
    console.log(JSON.stringify({ mode: options.mode, model: embedder.variant, centering: options.centering, space, thresholds, counts, sweep: rows, rule, tracks, msPerImage }));
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
