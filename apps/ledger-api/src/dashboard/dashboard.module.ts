import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Logger, Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { contentEtag, ifNoneMatchHits } from '../platform/http/conditional-get';

/**
 * The page only talks to this origin and loads nothing from elsewhere. Styles allow 'unsafe-inline' because the chart
 * library puts a <style> element inside each chart it draws; scripts stay strictly same-origin.
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Where `npm run build` puts the dashboard: dist/dashboard beside dist/apps/ledger-api in the built ledger, or under
 * the working directory when the API runs from source (the e2e tests).
 */
export const dashboardDirectory = (): string | undefined =>
  [join(__dirname, '..', '..', 'dashboard'), join(process.cwd(), 'dist', 'dashboard')].find((dir) => existsSync(join(dir, 'index.html')));

interface ServedFile {
  contentType: string;
  body: Buffer;
  gzipped: Buffer | undefined;
  etag: string;
  cacheControl: string;
}

const filesUnder = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });

/** Every file of the build, read and compressed once: the whole page is a few hundred kilobytes. */
export const loadDashboardFiles = (root: string): Map<string, ServedFile> => {
  const files = new Map<string, ServedFile>();
  for (const path of filesUnder(root)) {
    const contentType = CONTENT_TYPES[extname(path)];
    if (!contentType) continue;
    const body = readFileSync(path);
    const url = `/${relative(root, path).split(sep).join('/')}`;
    const compressible = !contentType.startsWith('image/png');
    files.set(url, {
      contentType,
      body,
      gzipped: compressible && body.length > 1024 ? gzipSync(body, { level: 9 }) : undefined,
      // Weak: the gzipped and the plain body are the same file under one tag.
      etag: contentEtag(body),
      // Vite names assets by content hash: they never change under one name; the page itself must be revalidated.
      cacheControl: url.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
  }
  const index = files.get('/index.html');
  if (index) files.set('/', index);
  return files;
};

/**
 * Serves the dashboard (a static single-page app with hash routes) at `/`. One GET route per built file, registered at
 * start, so every other path keeps the API's own 404/405 answers. Hand-rolled rather than @fastify/static: the
 * version that @nestjs/platform-fastify 11 accepts is ESM-only through content-disposition 3, which Jest cannot load
 * (the same reason setup-openapi serves Swagger UI itself). Nothing served here needs a token: the page holds its own.
 */
export const serveDashboard = (fastify: FastifyInstance, root: string): void => {
  for (const [url, file] of loadDashboardFiles(root)) {
    fastify.get(url, (request: FastifyRequest, reply: FastifyReply) => {
      reply
        .header('content-type', file.contentType)
        .header('cache-control', file.cacheControl)
        .header('etag', file.etag)
        .header('vary', 'accept-encoding')
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'no-referrer');
      if (file.contentType.startsWith('text/html')) reply.header('content-security-policy', DASHBOARD_CSP);
      if (ifNoneMatchHits(request.headers['if-none-match'], file.etag)) return reply.code(304).send();
      if (file.gzipped && /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))) {
        return reply.header('content-encoding', 'gzip').send(file.gzipped);
      }
      return reply.send(file.body);
    });
  }
};

@Module({})
export class DashboardModule implements OnModuleInit {
  private readonly logger = new Logger('Dashboard');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const root = dashboardDirectory();
    if (!root) {
      this.logger.log('dist/dashboard is missing (npm run build makes it): / is not served');
      return;
    }
    try {
      serveDashboard(this.adapterHost.httpAdapter.getInstance<FastifyInstance>(), root);
    } catch (error) {
      // A build being rewritten under a starting ledger must not stop the API: the page is served on the next start.
      this.logger.warn(`the dashboard in ${root} could not be read, / is not served: ${(error as Error).message}`);
    }
  }
}
