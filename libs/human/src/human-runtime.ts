import type { Config, Human } from '@vladmandic/human';
import { FILE_URL_PREFIX, fileLoadRouter } from './model-files';
import { humanModelsDir, humanWasmBuildPath, resolveModelJson, tfjsWasmDir } from './paths';

export interface HumanRuntimeOptions {
  /**
   * Face description (embedding) model: a bare name from Human's bundled `models/` folder
   * (`faceres`) or an absolute path to a compatible tfjs graph model json. Default `faceres` (1024-d).
   */
  descriptionModel?: string;
}

type HumanModule = { Human: new (config?: Partial<Config>) => Human };

/** Modules Human must not run for our calls; every call passes the full switch set because `detect` merges configs permanently. */
const EVERYTHING_OFF: Partial<Config> = switchedOff<Config>('body', 'hand', 'gesture', 'segmentation', 'filter', 'object');

/** `{ module: { enabled: false } }` for each named module of a Human config (or of its `face` section). */
function switchedOff<T>(...modules: (keyof T & string)[]): Partial<T> {
  return Object.fromEntries(modules.map((module) => [module, { enabled: false }])) as Partial<T>;
}

function loadHumanModule(): HumanModule {
  // Load order matters: tfjs, then the wasm backend (registers 'wasm'), then Human's wasm build, which
  // requires tfjs-core/converter/backend-wasm from node_modules and so shares their registries.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('@tensorflow/tfjs');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('@tensorflow/tfjs-backend-wasm');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(humanWasmBuildPath()) as HumanModule;
}

/** Base configuration: wasm backend, models from the package folder, no result caching between calls. */
export function baseHumanConfig(options: HumanRuntimeOptions): Partial<Config> {
  return {
    backend: 'wasm',
    wasmPath: tfjsWasmDir(),
    modelBasePath: `${FILE_URL_PREFIX}${humanModelsDir()}/`,
    debug: false,
    async: false,
    warmup: 'none',
    cacheModels: false,
    // Independent images, not a video: never reuse a previous call's results.
    cacheSensitivity: 0,
    skipAllowed: false,
    face: {
      enabled: true,
      detector: { rotation: false, maxDetected: 20, skipFrames: 0, skipTime: 0, minConfidence: 0.2, return: false },
      mesh: { enabled: true },
      ...switchedOff<Config['face']>('iris', 'emotion', 'attention', 'antispoof', 'liveness'),
      description: { enabled: true, skipFrames: 0, skipTime: 0, modelPath: `${FILE_URL_PREFIX}${resolveModelJson(options.descriptionModel ?? 'faceres')}` },
    } as Config['face'],
    ...EVERYTHING_OFF,
  };
}

/**
 * The process-wide Human instance on the tfjs wasm backend. Created lazily and once (loading takes
 * seconds); every inference goes through `exclusive`, which runs calls one after another: Human keeps
 * per-model state between calls and `detect` mutates its config, so concurrent calls are not safe.
 */
export class HumanRuntime {
  private static instance: HumanRuntime | undefined;
  private human: Human | undefined;
  private loading: Promise<Human> | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(readonly options: Required<HumanRuntimeOptions>) {}

  /**
   * The shared runtime. The first caller's options win; a later caller asking for a different
   * description model gets an error rather than silently another model.
   */
  static shared(options: HumanRuntimeOptions = {}): HumanRuntime {
    const wanted: Required<HumanRuntimeOptions> = { descriptionModel: options.descriptionModel ?? 'faceres' };
    if (!HumanRuntime.instance) HumanRuntime.instance = new HumanRuntime(wanted);
    else if (options.descriptionModel && HumanRuntime.instance.options.descriptionModel !== wanted.descriptionModel) {
      throw new Error(
        `Human runtime already created with description model ${HumanRuntime.instance.options.descriptionModel}; cannot switch to ${wanted.descriptionModel} in one process`,
      );
    }
    return HumanRuntime.instance;
  }

  get loaded(): boolean {
    return this.human !== undefined;
  }

  /** Loads tfjs, the wasm backend, Human and its face models (once; concurrent callers share the load). */
  ready(): Promise<Human> {
    if (this.human) return Promise.resolve(this.human);
    this.loading ??= this.load().catch((error: unknown) => {
      this.loading = undefined;
      throw error;
    });
    return this.loading;
  }

  /** Runs `work` with the Human instance, after every previously queued call has finished. */
  exclusive<T>(work: (human: Human) => Promise<T>): Promise<T> {
    const run = this.queue.then(async () => work(await this.ready()));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async load(): Promise<Human> {
    const { Human: HumanClass } = loadHumanModule();
    const human = new HumanClass(baseHumanConfig(this.options));
    human.tf.io.registerLoadRouter(fileLoadRouter as Parameters<typeof human.tf.io.registerLoadRouter>[0]);
    await human.init();
    if (human.tf.getBackend() !== 'wasm') throw new Error(`Human runs on backend ${String(human.tf.getBackend())}, expected wasm`);
    await human.load();
    this.human = human;
    return human;
  }
}
