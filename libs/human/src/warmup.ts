import { HumanRuntime } from './human-runtime';
import { embedFaces } from './faces';
import { detectObjects } from './objects';

/**
 * Loads Human and runs one tiny inference per capability so that the first real call does not pay
 * for model loading and wasm kernel setup. Call it at boot (Nest `onModuleInit`).
 */
export async function warmUpHuman(capabilities: { faces?: boolean; objects?: boolean } = { faces: true }, runtime = HumanRuntime.shared()): Promise<void> {
  await runtime.ready();
  const blank = { data: new Uint8Array(64 * 64 * 3).fill(128), width: 64, height: 64, channels: 3 as const };
  if (capabilities.faces) {
    await embedFaces(blank, {}, runtime);
    // A blank image has no face, so the description model has not run yet: run it once on zeros.
    await runtime.exclusive(async (human) => {
      const model = (human.models as unknown as { models: Record<string, { execute?: (t: unknown) => unknown; inputs?: { shape?: number[] }[] } | null> })
        .models.faceres;
      if (!model?.execute) return;
      const [, height = 224, width = 224] = model.inputs?.[0]?.shape ?? [];
      const zeros = human.tf.zeros([1, height > 0 ? height : 224, width > 0 ? width : 224, 3]);
      const out = model.execute(zeros);
      human.tf.dispose([zeros, ...(Array.isArray(out) ? out : [out])] as Parameters<typeof human.tf.dispose>[0]);
    });
  }
  if (capabilities.objects) await detectObjects(blank, {}, runtime);
}
