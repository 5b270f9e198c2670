import type { DocumentBuilder, OpenAPIObject } from '@nestjs/swagger';
import { API_KEY_HEADER, SESSION_COOKIE } from './api-key';
import { PublicRouteOptions, isPublicRoute } from './public-routes';

const SCHEMES = { header: 'apiKey', bearer: 'bearer', cookie: 'sessionCookie' } as const;
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'] as const;

/** Declares the three ways to present the key (header, bearer, session cookie). */
export function withApiKeySchemes(builder: DocumentBuilder): DocumentBuilder {
  return builder
    .addApiKey({ type: 'apiKey', in: 'header', name: API_KEY_HEADER, description: 'one of http.apiKeys' }, SCHEMES.header)
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <api key>' }, SCHEMES.bearer)
    .addCookieAuth(SESSION_COOKIE, { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: 'set by POST /auth/session' }, SCHEMES.cookie);
}

/** OpenAPI path `/people/{id}` as a route template `/people/:id` (only the prefix matters for publicity). */
const templateOfPath = (path: string): string => path.replace(/\{([^}]+)\}/g, ':$1');

/**
 * Marks every operation: secured ones list the schemes (any one suffices), public ones an empty
 * security list. Decided by the same rule as the guard, so the document cannot drift from it.
 */
export function markOperationSecurity(document: OpenAPIObject, options: PublicRouteOptions & { enabled: boolean }): OpenAPIObject {
  const secured = Object.values(SCHEMES).map((scheme) => ({ [scheme]: [] as string[] }));
  for (const [path, item] of Object.entries(document.paths)) {
    const open = !options.enabled || isPublicRoute(templateOfPath(path), options);
    for (const method of METHODS) {
      const operation = item[method];
      if (operation) operation.security = open ? [] : secured;
    }
  }
  return document;
}
