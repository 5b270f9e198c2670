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
  if (capabilities.faces) await embedFaces(blank, {}, runtime);
  if (capabilities.objects) await detectObjects(blank, {}, runtime);
}
