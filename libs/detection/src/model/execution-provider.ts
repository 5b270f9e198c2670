import type { ExecutionProvider } from '@sentinel/config';

/** What `ort.listSupportedBackends()` reports: `bundled: false` means the build can use it but does not ship its libraries. */
export interface BackendInfo {
  name: string;
  bundled: boolean;
}

export type ProviderChoice = { ok: true; providers: string[] } | { ok: false; reason: string };

/**
 * The `executionProviders` of the detector session for `fog.executionProvider`, or why this build of
 * onnxruntime-node cannot have it. `supported` undefined: the build cannot say (older onnxruntime-node),
 * and the session creation decides. Nodes a provider cannot run fall back to the CPU inside onnxruntime.
 */
export function chooseExecutionProvider(requested: ExecutionProvider, supported: readonly BackendInfo[] | undefined): ProviderChoice {
  if (requested === 'cpu' || !supported) return { ok: true, providers: [requested] };
  if (supported.some((backend) => backend.name === requested)) return { ok: true, providers: [requested] };
  const listed = supported.map((backend) => (backend.bundled ? backend.name : `${backend.name} (not bundled)`)).join(', ');
  return { ok: false, reason: `this onnxruntime-node build has no ${requested} provider (it lists: ${listed}); use cpu or a build with ${requested}` };
}

/** The boot message when a provider the build lists could not start a session (libraries, driver or device missing). */
export function providerStartFailure(requested: ExecutionProvider, supported: readonly BackendInfo[] | undefined, error: string): string {
  const backend = supported?.find((b) => b.name === requested);
  const hint = backend && !backend.bundled
    ? ` (this build does not bundle ${requested}: its libraries come from onnxruntime-node's install step, which ONNXRUNTIME_NODE_INSTALL=skip leaves out, plus the vendor's runtime)`
    : '';
  return `onnxruntime could not start the ${requested} execution provider${hint}: ${error}; the model itself loads on cpu`;
}
