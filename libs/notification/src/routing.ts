import type { NotificationChannelName, NotificationRouteRule } from '@sentinel/config';

/** Channels an alert kind goes to: the first rule whose kinds contain the kind (or `*`) wins; no rule, no channel. */
export function channelsForKind(rules: readonly Pick<NotificationRouteRule, 'kinds' | 'channels'>[], kind: string): NotificationChannelName[] {
  const rule = rules.find((r) => r.kinds.includes(kind) || r.kinds.includes('*'));
  return rule ? [...new Set(rule.channels)] : [];
}
