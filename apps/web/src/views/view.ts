import { LiveStats } from '../live-stats';

export interface ViewContext {
  live: LiveStats;
  /** Shows a short message in the page's status line. */
  notify: (message: string, kind?: 'info' | 'error') => void;
}

/** A view mounts into its container and returns what stops it (timers, streams, subscriptions). */
export type View = (container: HTMLElement, context: ViewContext, argument?: string) => () => void;
