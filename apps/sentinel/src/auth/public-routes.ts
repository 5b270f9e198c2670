/** Route templates (as Nest and OpenAPI spell them, e.g. `/health/live`) that need no API key. */
export interface PublicRouteOptions {
  /** `http.metricsOpen`: Prometheus scrapes /metrics without a key. */
  metricsOpen: boolean;
}

/** Joins a controller prefix and a method path into one template: `/` + segments, no trailing slash. */
export function routeTemplate(...parts: Array<string | string[] | undefined>): string {
  const segments = parts
    .map((part) => (Array.isArray(part) ? part[0] : part) ?? '')
    .flatMap((part) => part.split('/'))
    .filter(Boolean);
  return `/${segments.join('/')}`;
}

const under = (template: string, prefix: string): boolean => template === prefix || template.startsWith(`${prefix}/`);

/**
 * Health probes (an orchestrator has no key), the session login/logout itself, the dashboard's static
 * files (`/`, `/assets/*`: they hold no data) and /metrics when configured open. Everything else carries
 * data or changes state and needs a key.
 */
export function isPublicRoute(template: string, { metricsOpen }: PublicRouteOptions): boolean {
  const normal = routeTemplate(template).toLowerCase();
  return (
    under(normal, '/health') ||
    normal === '/auth/session' ||
    normal === '/' ||
    under(normal, '/assets') ||
    (metricsOpen && under(normal, '/metrics'))
  );
}
