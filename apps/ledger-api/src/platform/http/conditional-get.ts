import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { csvRequested, hasCsvForm, toCsvPayload } from './conditional-get.csv';

/**
 * Conditional GETs for every read: an ETag on each 200 (the route's own, e.g. an incident's revision, else a weak one
 * over the body), 304 for a matching If-None-Match, and a Cache-Control fitting the route. A route can answer 304
 * before doing its work with `notModified` (the statistics do, keyed by the read models' checkpoint).
 */

/** How long each kind of read may be reused, by route (Fastify's route pattern). Errors are never stored. */
export const cacheControlFor = (route: string | undefined): string => {
  const url = route ?? '';
  // Answers that depend on who asks (scoped feeds), are logged per read (audit, integrity) or concern operations.
  if (/^\/(admin|metrics|health|feed|audit|integrity)(\/|$)/.test(url) || url.endsWith('/history')) return 'no-store';
  // A stored event type's schema is fixed by its versioned name: content-addressed.
  if (url === '/schemas/events/:name') return 'public, max-age=31536000, immutable';
  if (/^\/(schemas|asyncapi|openapi|\.well-known)/.test(url)) return 'public, no-cache';
  // Read models: reuse only after revalidating (the ETag makes that a 304 with no body).
  return 'private, no-cache';
};

/** A weak ETag over a body: the same bytes, the same tag. */
export const contentEtag = (payload: string | Buffer): string => digestEtag(createHash('sha256').update(payload).digest('base64url'));

/** The weak ETag of an answer whose SHA-256 (base64url) was taken where it was made (an audit read's thread). */
export const digestEtag = (sha256: string): string => `W/"${sha256.slice(0, 27)}"`;

/** A weak ETag naming the read models' checkpoint: every read-model answer is a function of it (and of the URL). */
export const checkpointEtag = (position: bigint): string => `W/"p${position.toString()}"`;

const opaque = (tag: string): string => tag.trim().replace(/^W\//, '');

/** Weak comparison (RFC 9110 13.1.2): If-None-Match matches when any listed tag has the same opaque value, or is *. */
export const ifNoneMatchHits = (header: string | string[] | undefined, etag: string): boolean => {
  if (header === undefined) return false;
  const listed = (Array.isArray(header) ? header.join(',') : header).split(',').map((tag) => tag.trim());
  return listed.some((tag) => tag === '*' || (tag !== '' && opaque(tag) === opaque(etag)));
};

/** Sets the ETag; true (and a 304) when the client holds that version already: the caller then returns nothing. */
export const notModified = (request: FastifyRequest, reply: FastifyReply, etag: string): boolean => {
  reply.header('ETag', etag);
  if (!ifNoneMatchHits(request.headers['if-none-match'], etag)) return false;
  reply.code(304);
  return true;
};

/** Adds a header name to Vary, keeping what is there (CORS varies on Origin). */
const varyOn = (reply: FastifyReply, name: string): void => {
  const current = String(reply.getHeader('vary') ?? '');
  const names = current.split(',').map((n) => n.trim()).filter((n) => n !== '');
  if (!names.some((n) => n.toLowerCase() === name.toLowerCase() || n === '*')) reply.header('Vary', [...names, name].join(', '));
};

const isRead = (request: FastifyRequest): boolean => request.method === 'GET' || request.method === 'HEAD';

/** Installs the hook on every route registered after it (call before Nest registers its routes). */
export const installConditionalGet = (fastify: FastifyInstance): void => {
  fastify.addHook('onSend', async (request, reply, payload) => {
    if (!isRead(request)) return payload;
    const status = reply.statusCode;
    const success = (status >= 200 && status < 300) || status === 304;
    if (!reply.hasHeader('cache-control')) reply.header('Cache-Control', success ? cacheControlFor(request.routeOptions.url) : 'no-store');
    if (status === 304) return '';
    if (status !== 200 || (typeof payload !== 'string' && !Buffer.isBuffer(payload))) return payload;
    let body: string | Buffer = payload;
    // The same URL answers JSON or CSV by Accept: caches must keep them apart, whichever this answer is.
    if (hasCsvForm(request)) varyOn(reply, 'Accept');
    const asCsv = csvRequested(request);
    if (asCsv) {
      const csv = toCsvPayload(request, body.toString());
      if (csv !== undefined) {
        body = csv.text;
        reply.header('Content-Type', 'text/csv; charset=utf-8');
        reply.header('Content-Disposition', `attachment; filename="${csv.filename}"`);
      }
    }
    let etag = reply.getHeader('etag') as string | undefined;
    if (etag === undefined || asCsv) {
      etag = contentEtag(body);
      reply.header('ETag', etag);
    }
    if (ifNoneMatchHits(request.headers['if-none-match'], etag)) {
      reply.code(304);
      reply.removeHeader('content-type');
      reply.removeHeader('content-disposition');
      return '';
    }
    return body;
  });
};
