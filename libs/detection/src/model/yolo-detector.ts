import { access } from 'node:fs/promises';
import { basename } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { ExecutionProvider, YoloFamily } from '@sentinel/config';
import { RgbImage } from '../image/decode-image';
import { Preprocessor } from '../preprocess/preprocessor';
import { InputElementType } from '../preprocess/input-tensor';
import { Candidate, ChannelMajorScratch, DecodeOptions, decodeYolov5, decodeYolov8, decodeYolox } from '../postprocess/decode-outputs';
import { ImagePlacement, candidatesToFrame } from '../postprocess/postprocess';
import { chooseExecutionProvider, providerStartFailure } from './execution-provider';
import { float16Table } from './float16';
import { keptLabels, labelsFor } from './labels';
import { FamilyInputs, classesFromOutput, expectedOutputDims } from './model-family';
import { ObjectDetector, StageSink } from './object-detector';

/** The configured model cannot be used; thrown at boot so the process does not start half-working. */
export class ModelBootError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelBootError';
  }
}

export interface YoloDetectorOptions {
  modelPath: string;
  family: YoloFamily;
  /** onnxruntime intra-op threads. */
  threads: number;
  /** Side used when the model's input dimensions are symbolic. */
  fallbackInputSize: number;
  confidence: number;
  /** Labels to keep (empty: all; unset: the surveillance default, see keptLabels); unknown labels are a boot error. */
  classes?: readonly string[];
  /** Labels kept too when `classes` is unset (the suspicious-object classes). */
  alsoByDefault?: readonly string[];
  /** Class ids always kept whatever `classes` says (person: tracks and crops need it). */
  alwaysKeep?: readonly number[];
  /** onnxruntime execution provider (default cpu); one this build cannot start is a ModelBootError. */
  executionProvider?: ExecutionProvider;
  /** Images that may be in the detector at once (each with its own input tensor; one session for all). */
  lanes?: number;
}

/** One image's way through the shared session: its own pre-processor and input tensor. */
interface Lane {
  preprocessor: Preprocessor;
  input: ort.Tensor;
}

type TensorMeta = { name: string; isTensor: boolean; type?: string; shape?: ReadonlyArray<number | string> };

const dimsText = (dims: ReadonlyArray<number | string>): string => `[${dims.join(',')}]`;

/** Model input side from [1, 3, S, S] metadata; symbolic dims take the fallback. */
function inputSideOf(meta: TensorMeta, fallback: number, where: string): number {
  const shape = meta.shape ?? [];
  if (shape.length !== 4) throw new ModelBootError(`${where}: input ${meta.name} has shape ${dimsText(shape)}, expected [1,3,S,S]`);
  const [n, c, h, w] = shape;
  if ((typeof n === 'number' && n !== 1) || (typeof c === 'number' && c !== 3)) {
    throw new ModelBootError(`${where}: input ${meta.name} has shape ${dimsText(shape)}, expected batch 1 and 3 channels`);
  }
  const height = typeof h === 'number' ? h : fallback;
  const width = typeof w === 'number' ? w : fallback;
  if (height !== width) throw new ModelBootError(`${where}: input ${meta.name} is ${width}x${height}; only square inputs are supported`);
  return width;
}

function elementTypeOf(meta: TensorMeta, where: string): InputElementType {
  if (!meta.isTensor || (meta.type !== 'float32' && meta.type !== 'float16')) {
    throw new ModelBootError(`${where}: ${meta.name} is ${meta.isTensor ? meta.type : 'not a tensor'}, expected float32 or float16`);
  }
  return meta.type;
}

function checkOutputDims(family: YoloFamily, side: number, dims: ReadonlyArray<number | string>, where: string): number {
  if (dims.length !== 3 || dims.some((d) => typeof d !== 'number')) {
    throw new ModelBootError(`${where}: output has shape ${dimsText(dims)}, expected a rank-3 tensor for ${family}`);
  }
  const numeric = dims as number[];
  const classes = classesFromOutput(family, numeric);
  const expected = expectedOutputDims(family, side, Math.max(classes, 1));
  if (classes < 1 || numeric.some((d, i) => d !== expected[i])) {
    const guesses = (['yolov5', 'yolov8', 'yolox'] as const).filter((f) => {
      const c = classesFromOutput(f, numeric);
      return c >= 1 && expectedOutputDims(f, side, c).every((d, i) => d === numeric[i]);
    });
    throw new ModelBootError(
      `${where}: output shape ${dimsText(dims)} does not fit family ${family} with a ${side}x${side} input ` +
        `(expected ${dimsText(expectedOutputDims(family, side, 80))} for 80 classes)${guesses.length ? `; it looks like ${guesses.join(' or ')}` : ''}`,
    );
  }
  return classes;
}

/** The detector session on the configured execution provider; every failure is a ModelBootError that says which part failed. */
async function createSession(options: YoloDetectorOptions, where: string): Promise<ort.InferenceSession> {
  const requested = options.executionProvider ?? 'cpu';
  const supported = ort.listSupportedBackends?.();
  const choice = chooseExecutionProvider(requested, supported);
  if (!choice.ok) throw new ModelBootError(`fog.executionProvider ${requested}: ${choice.reason}`);
  const sessionOptions: ort.InferenceSession.SessionOptions = {
    intraOpNumThreads: options.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    executionProviders: choice.providers,
  };
  try {
    return await ort.InferenceSession.create(options.modelPath, sessionOptions);
  } catch (error) {
    const message = (error as Error).message;
    if (requested === 'cpu') throw new ModelBootError(`${where}: not a loadable ONNX model (${message})`);
    // Tell a provider that cannot start from a model that cannot load: try the model on the CPU once.
    const onCpu = await ort.InferenceSession.create(options.modelPath, { ...sessionOptions, executionProviders: ['cpu'] }).catch(() => undefined);
    if (!onCpu) throw new ModelBootError(`${where}: not a loadable ONNX model (${message})`);
    await onCpu.release();
    throw new ModelBootError(`fog.executionProvider ${requested}: ${providerStartFailure(requested, supported, message)}`);
  }
}

/**
 * A YOLO model on onnxruntime-node: one session created, checked and warmed up once, shared by every
 * camera. Images go through reused input tensors, one per lane: with several lanes, images of
 * different cameras pre-process at once, but inference does not overlap: onnxruntime-node runs
 * `session.run` synchronously on the calling thread (ThreadedDetector puts sessions on worker threads).
 */
export class YoloDetector implements ObjectDetector {
  readonly description: string;
  private readonly decodeOptions: DecodeOptions;
  private readonly scratch = new ChannelMajorScratch();
  private readonly lanes: Lane[];
  private readonly freeLanes: Lane[];
  private readonly laneWaiters: ((lane: Lane) => void)[] = [];

  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly family: YoloFamily,
    readonly labels: readonly string[],
    private readonly preprocessor: Preprocessor,
    private readonly outputType: InputElementType,
    confidence: number,
    allowed: Uint8Array | null,
    modelPath: string,
    laneCount: number,
  ) {
    const side = preprocessor.side;
    const lane = (p: Preprocessor): Lane => ({ preprocessor: p, input: new ort.Tensor(p.tensor.elementType, p.tensor.data, [1, 3, side, side]) });
    this.lanes = [lane(preprocessor), ...Array.from({ length: Math.max(1, laneCount) - 1 }, () => lane(preprocessor.sibling()))];
    this.freeLanes = [...this.lanes];
    this.decodeOptions = { confidence, allowed, half: outputType === 'float16' ? float16Table() : null };
    this.description = `${family} ${basename(modelPath)} ${side}x${side} ${preprocessor.tensor.elementType}`;
  }

  static async create(options: YoloDetectorOptions): Promise<YoloDetector> {
    const where = `fog.modelPath ${options.modelPath}`;
    try {
      await access(options.modelPath);
    } catch {
      throw new ModelBootError(`${where}: file not found (see models/README.md for how to get a YOLO ONNX model)`);
    }
    const session = await createSession(options, where);
    try {
      const input = session.inputMetadata[0] as TensorMeta | undefined;
      const output = session.outputMetadata[0] as TensorMeta | undefined;
      if (!input || !output) throw new ModelBootError(`${where}: the model needs one input and one output`);
      const inputType = elementTypeOf(input, `${where} input`);
      const outputType = elementTypeOf(output, `${where} output`);
      const side = inputSideOf(input, options.fallbackInputSize, where);
      let classes = output.shape && output.shape.every((d) => typeof d === 'number') ? checkOutputDims(options.family, side, output.shape, where) : 0;
      const preprocessor = new Preprocessor(side, inputType, FamilyInputs[options.family]);
      // Warm-up on the padding-only input; it also reveals symbolic output dims.
      const warm = await session.run({ [input.name]: new ort.Tensor(inputType, preprocessor.tensor.data, [1, 3, side, side]) });
      const warmOutput = warm[output.name];
      classes = checkOutputDims(options.family, side, warmOutput.dims, where);
      warmOutput.dispose?.();
      const labels = labelsFor(classes);
      const allowed = classMask(keptLabels(options.classes, options.alsoByDefault ?? [], labels), labels, options.alwaysKeep ?? []);
      return new YoloDetector(session, options.family, labels, preprocessor, outputType, options.confidence, allowed, options.modelPath, options.lanes ?? 1);
    } catch (error) {
      await session.release().catch(() => undefined);
      throw error;
    }
  }

  get inputSide(): number {
    return this.preprocessor.side;
  }

  /** Runs the session on the first lane's current input tensor only (the bench's bare baseline). */
  runSession(lane: Lane = this.lanes[0]): Promise<ort.Tensor> {
    return this.session.run({ [this.session.inputNames[0]]: lane.input }).then((out) => out[this.session.outputNames[0]]);
  }

  /** Pre-processes an image into the first lane's input tensor; exposed for the bench. */
  preprocess(image: RgbImage) {
    return this.preprocessor.run(image);
  }

  async detect(image: RgbImage, placement: ImagePlacement, stages: StageSink): Promise<Candidate[]> {
    const lane = await this.acquireLane();
    try {
      return await this.detectOn(lane, image, placement, stages);
    } finally {
      this.releaseLane(lane);
    }
  }

  private async detectOn(lane: Lane, image: RgbImage, placement: ImagePlacement, stages: StageSink): Promise<Candidate[]> {
    let t = performance.now();
    const lb = await lane.preprocessor.run(image);
    let now = performance.now();
    stages('preprocess', now - t);
    t = now;
    const output = await this.runSession(lane);
    now = performance.now();
    stages('inference', now - t);
    t = now;
    const candidates = candidatesToFrame(this.decode(output), lb, placement);
    output.dispose?.();
    stages('postprocess', performance.now() - t);
    return candidates;
  }

  private acquireLane(): Promise<Lane> {
    const lane = this.freeLanes.pop();
    return lane ? Promise.resolve(lane) : new Promise((resolve) => this.laneWaiters.push(resolve));
  }

  private releaseLane(lane: Lane): void {
    const waiter = this.laneWaiters.shift();
    if (waiter) waiter(lane);
    else this.freeLanes.push(lane);
  }

  /** Output tensor -> input-pixel candidates, per family. */
  decode(output: ort.Tensor): Candidate[] {
    const data = output.data as Float32Array | Uint16Array;
    const [, a, b] = output.dims;
    if (this.outputType === 'float16' && !(data instanceof Uint16Array)) throw new Error('float16 output did not arrive as Uint16Array');
    switch (this.family) {
      case 'yolov5':
        return decodeYolov5(data, a, b, this.decodeOptions);
      case 'yolox':
        return decodeYolox(data, a, b, this.preprocessor.side, this.decodeOptions);
      case 'yolov8':
        return decodeYolov8(data, a, b, this.decodeOptions, this.scratch);
    }
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}

/** allowed[c] = 1 for the configured labels plus `alwaysKeep`; null when every class is kept. */
export function classMask(keep: readonly string[], labels: readonly string[], alwaysKeep: readonly number[]): Uint8Array | null {
  if (!keep.length) return null;
  const mask = new Uint8Array(labels.length);
  const unknown = keep.filter((label) => !labels.includes(label));
  if (unknown.length) throw new ModelBootError(`fog.classes: unknown labels ${unknown.join(', ')} (the model knows: ${labels.join(', ')})`);
  for (const label of keep) mask[labels.indexOf(label)] = 1;
  for (const id of alwaysKeep) if (id < mask.length) mask[id] = 1;
  return mask;
}
