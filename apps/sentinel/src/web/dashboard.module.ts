import { Logger, Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { ExpressAdapter } from '@nestjs/platform-express';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { dashboardRoot } from './web-root';

/**
 * Serves the dashboard's static files (`/`, `/assets/*`) from dist/web through the Express adapter.
 * They hold no data, so they are public; every call the page makes goes to the authenticated API.
 * Registered when the app initialises, after the API routes, so no route is shadowed.
 */
@Module({})
export class DashboardModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const root = dashboardRoot();
    if (!existsSync(join(root, 'index.html'))) {
      new Logger('Dashboard').warn(`no dashboard at ${root} (run npm run build); the API works without it`);
      return;
    }
    const adapter = this.adapterHost.httpAdapter as ExpressAdapter;
    adapter.useStaticAssets(root, {
      index: 'index.html',
      redirect: false,
      fallthrough: true,
      setHeaders: (response) => response.setHeader('Cache-Control', 'no-cache'),
    });
  }
}
