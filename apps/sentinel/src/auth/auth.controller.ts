import { Body, Controller, Delete, HttpCode, Inject, Post, Res, UnauthorizedException } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { SENTINEL_CONFIG, SentinelConfig } from '@sentinel/config';
import { ApiKeySet, sessionCookie } from './api-key';
import { API_KEYS } from './api-key.guard';

/** Browser sessions: the key travels once in a body, then as an HttpOnly cookie (so <img src> works). */
@ApiTags('auth')
@Controller('auth/session')
export class AuthController {
  constructor(
    @Inject(API_KEYS) private readonly keys: ApiKeySet | null,
    @Inject(SENTINEL_CONFIG) private readonly config: SentinelConfig,
  ) {}

  @Post()
  @HttpCode(204)
  @ApiOperation({ summary: 'Exchange an API key for the HttpOnly, SameSite=Strict session cookie sentinel_key' })
  @ApiBody({ schema: { type: 'object', required: ['key'], properties: { key: { type: 'string' } } } })
  @ApiResponse({ status: 204, description: 'cookie set' })
  @ApiResponse({ status: 401, description: 'missing or wrong key' })
  open(@Body() body: unknown, @Res({ passthrough: true }) response: Response): void {
    if (!this.keys) return; // http.auth: none, nothing to exchange
    const key = body && typeof body === 'object' ? (body as { key?: unknown }).key : undefined;
    if (typeof key !== 'string' || !this.keys.matches(key)) throw new UnauthorizedException('wrong or missing key (JSON body {"key": "..."})');
    response.setHeader('Set-Cookie', sessionCookie(key, Boolean(this.config.http.tls)));
  }

  @Delete()
  @HttpCode(204)
  @ApiOperation({ summary: 'Clear the session cookie' })
  @ApiResponse({ status: 204, description: 'cookie cleared' })
  close(@Res({ passthrough: true }) response: Response): void {
    response.setHeader('Set-Cookie', sessionCookie('', Boolean(this.config.http.tls)));
  }
}
