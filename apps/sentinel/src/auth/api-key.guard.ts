import { CanActivate, ExecutionContext, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { PATH_METADATA } from '@nestjs/common/constants';
import type { Request } from 'express';
import { SENTINEL_CONFIG, SentinelConfig } from '@sentinel/config';
import { ApiKeySet, presentedKey } from './api-key';
import { isPublicRoute, routeTemplate } from './public-routes';

/** DI token of this process's ApiKeySet, or null when `http.auth: none`. */
export const API_KEYS = Symbol('API_KEYS');

/** The route template a handler is mounted on (from Nest's metadata, not the request URL). */
export function handlerTemplate(context: ExecutionContext): string {
  const prefix = Reflect.getMetadata(PATH_METADATA, context.getClass()) as string | string[] | undefined;
  const path = Reflect.getMetadata(PATH_METADATA, context.getHandler()) as string | string[] | undefined;
  return routeTemplate(prefix, path);
}

/**
 * Global guard: an HTTP request to a non-public route needs a valid key (header, bearer or session
 * cookie), else 401. Link message handlers (microservice contexts) are not HTTP and pass.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    @Inject(API_KEYS) private readonly keys: ApiKeySet | null,
    @Inject(SENTINEL_CONFIG) private readonly config: SentinelConfig,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http' || !this.keys) return true;
    if (isPublicRoute(handlerTemplate(context), { metricsOpen: this.config.http.metricsOpen })) return true;
    const request = context.switchToHttp().getRequest<Request>();
    if (this.keys.matches(presentedKey(request.headers))) return true;
    throw new UnauthorizedException('an API key is required: header x-api-key, Authorization: Bearer <key> or the sentinel_key session cookie');
  }
}
