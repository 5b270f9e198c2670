/**
 * Whether this process was asked to stop by a signal (Ctrl-C at a terminal, `docker stop`, a pod's
 * termination). A terminal's Ctrl-C reaches the whole process group, so the roof's ffmpeg children
 * end at the same moment Nest starts shutting down; code that would otherwise report such an end as
 * an outage (a camera-down alert) asks here first.
 */
const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
let received: NodeJS.Signals | undefined;
let watching = false;

/**
 * Notes the first stop signal this process gets. Called once by the product's entry point only:
 * each listener is a once-listener prepended to Nest's shutdown hooks, so the signal Nest re-raises
 * after closing the app still ends the process.
 */
export function watchStopSignals(): void {
  if (watching) return;
  watching = true;
  for (const signal of STOP_SIGNALS) process.prependOnceListener(signal, () => (received ??= signal));
}

/** The stop signal this process received, if any. */
export function stopSignalReceived(): NodeJS.Signals | undefined {
  return received;
}
