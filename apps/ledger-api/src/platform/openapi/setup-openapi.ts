import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, getSchemaPath, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { OPENAPI_PUBLIC_EXTENSION, OPENAPI_ROLES_EXTENSION } from '../auth/auth.decorators';
import { PROBLEM_CONTENT_TYPE } from '../problem/problem.exception';
import { PROBLEM_MODELS, ProblemDto } from './problem.dto';
import responseSchemas from './response-schemas.json';

// Controllers may import the problem schema from here as well as from problem.dto.
export { ProblemDto, ValidationProblemDto, DomainProblemDto, RevisionConflictProblemDto } from './problem.dto';

export const BEARER_SCHEME = 'bearer';
export const OPENAPI_JSON_PATH = '/openapi.json';
export const DOCS_PATH = '/docs';

export interface OpenApiOptions {
  title: string;
  version: string;
  description: string;
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/**
 * Builds the OpenAPI document from the app's controllers and serves it at
 * /openapi.json, with Swagger UI at /docs. Call after NestFactory.create and
 * before app.listen / app.init. Both routes are plain Fastify routes, so the
 * AuthGuard does not apply to them. Returns the document (e.g. to export it).
 */
export function setupOpenApi(app: NestFastifyApplication, options: OpenApiOptions): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle(options.title)
    .setVersion(options.version)
    .setDescription(options.description)
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', bearerFormat: 'opaque', description: 'A ledger token: Authorization: Bearer <token>. Roles: reader, recorder, auditor, admin.' },
      BEARER_SCHEME,
    )
    // Deny by default, as the AuthGuard does; @Public() operations opt out below.
    .addSecurityRequirements(BEARER_SCHEME)
    .build();

  const document = SwaggerModule.createDocument(app, config, { extraModels: PROBLEM_MODELS });
  applyAuthDocumentation(document);
  addResponseSchemas(document);

  // Only the JSON route comes from SwaggerModule. Its UI would be served
  // through @fastify/static, which pulls in an ESM-only dependency that Jest
  // cannot load and that Node 20 before 20.19 cannot require; on failure Nest
  // calls process.exit(1). The UI is a few static files, served below.
  SwaggerModule.setup(DOCS_PATH.slice(1), app, document, {
    jsonDocumentUrl: OPENAPI_JSON_PATH.slice(1),
    raw: ['json'],
    ui: false,
  });
  serveSwaggerUi(app, options.title);
  return document;
}

/**
 * Turns the extensions that @Public() and @Roles() leave on operations into
 * real OpenAPI: an empty security requirement for public operations, and
 * the 401/403 problem responses (plus a note of the roles) for the others.
 */
export function applyAuthDocumentation(document: OpenAPIObject): void {
  const problemContent = (description: string) => ({
    description,
    content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(ProblemDto) } } },
  });

  for (const pathItem of Object.values(document.paths ?? {})) {
    for (const method of HTTP_METHODS) {
      const operation = pathItem[method] as (Record<string, unknown> & { responses?: Record<string, unknown>; description?: string }) | undefined;
      if (!operation) continue;
      const isPublic = operation[OPENAPI_PUBLIC_EXTENSION] === true;
      const roles = operation[OPENAPI_ROLES_EXTENSION] as string[] | undefined;
      delete operation[OPENAPI_PUBLIC_EXTENSION];
      delete operation[OPENAPI_ROLES_EXTENSION];

      if (isPublic) {
        operation.security = [];
        continue;
      }
      operation.responses ??= {};
      operation.responses['401'] ??= problemContent('Missing or invalid bearer token.');
      if (roles && roles.length > 0) {
        const note = `Requires the role ${roles.join(' or ')} (admin implies every role; recorder and auditor imply reader).`;
        operation.description = operation.description ? `${operation.description}\n\n${note}` : note;
        // A route that documents more reasons for a 403 (a token scope) keeps them after the role, so that every
        // 403 names its roles the same way and a client (or the role-matrix test) can read them.
        const lacksRole = `The token lacks the role ${roles.join(' or ')}.`;
        const documented = operation.responses['403'] as { description?: string } | undefined;
        operation.responses['403'] = documented ? { ...documented, description: `${lacksRole} ${documented.description ?? ''}`.trim() } : problemContent(lacksRole);
      }
    }
  }
}

/**
 * OpenAPI 3.1, whose schemas are JSON Schema 2020-12: the response bodies are generated from the TypeScript types
 * as JSON Schema (response-schemas.json), and Nest's DTO schemas need one change, `nullable` becoming a type union.
 * Fails at start when a response names a schema that is not there, so a stale file cannot ship a dangling $ref.
 */
export function addResponseSchemas(document: OpenAPIObject): void {
  document.openapi = '3.1.0';
  const schemas = (document.components ??= {}).schemas ??= {};
  for (const [name, schema] of Object.entries(schemas)) schemas[name] = withoutNullable(schema);
  document.paths = withoutNullable(document.paths);
  for (const [name, schema] of Object.entries(responseSchemas.schemas)) {
    if (name in schemas) throw new Error(`OpenAPI component ${name} is both a DTO and a generated response schema: rename one`);
    schemas[name] = schema as (typeof schemas)[string];
  }
  const dangling = [...JSON.stringify(document.paths).matchAll(/"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]).filter((name) => !(name in schemas));
  if (dangling.length > 0) throw new Error(`OpenAPI responses name missing schemas: ${[...new Set(dangling)].join(', ')} (run npm run schemas)`);
}

/** OpenAPI 3.0's `nullable: true` as 3.1 says it: `null` in the type, or a union with null where there is no type. */
export const withoutNullable = <T>(node: T): T => {
  if (Array.isArray(node)) return node.map(withoutNullable) as T;
  if (node === null || typeof node !== 'object') return node;
  const { nullable, ...rest } = node as Record<string, unknown>;
  const converted = Object.fromEntries(Object.entries(rest).map(([key, value]) => [key, withoutNullable(value)]));
  if (nullable !== true) return converted as T;
  if (typeof converted.type === 'string') return { ...converted, type: [converted.type, 'null'] } as T;
  return { anyOf: [converted, { type: 'null' }] } as T;
};

const SWAGGER_UI_ASSETS: Readonly<Record<string, string>> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'application/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
};

/**
 * swagger-ui-dist comes with @nestjs/swagger (pinned by it, hoisted by npm).
 * A plain require, as SwaggerModule itself does: webpack's node-externals
 * keeps it a runtime require, where require.resolve or a deep import into
 * @nestjs/swagger (blocked by its exports map) would not work. Its
 * absolute-path.js only, as SwaggerModule takes it: the package's index
 * evaluates the whole 1.4 MB UI bundle, 0.3 s of every start's CPU.
 */
function swaggerUiDistDir(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const absolutePath = require('swagger-ui-dist/absolute-path.js') as () => string;
  return absolutePath();
}

function serveSwaggerUi(app: NestFastifyApplication, title: string): void {
  const adapter = app.getHttpAdapter();
  const distDir = swaggerUiDistDir();
  const cache = new Map<string, Buffer>();
  const escapedTitle = title.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);

  const html = [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapedTitle} API</title>`,
    `<link rel="stylesheet" href="${DOCS_PATH}/swagger-ui.css">`,
    `<link rel="icon" type="image/png" href="${DOCS_PATH}/favicon-32x32.png" sizes="32x32">`,
    '</head>',
    '<body>',
    '<div id="swagger-ui"></div>',
    `<script src="${DOCS_PATH}/swagger-ui-bundle.js"></script>`,
    `<script src="${DOCS_PATH}/swagger-ui-standalone-preset.js"></script>`,
    // External rather than inline, so a strict Content-Security-Policy can be added later.
    `<script src="${DOCS_PATH}/swagger-ui-init.js"></script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');

  const init = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: ${JSON.stringify(OPENAPI_JSON_PATH)},
    dom_id: '#swagger-ui',
    deepLinking: true,
    persistAuthorization: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: 'StandaloneLayout'
  });
});
`;

  type Reply = { type(contentType: string): Reply; header(name: string, value: string): Reply; send(payload: unknown): unknown };
  const sendHtml = (_req: unknown, reply: Reply) => reply.type('text/html; charset=utf-8').send(html);
  adapter.get(DOCS_PATH, sendHtml);
  adapter.get(`${DOCS_PATH}/`, sendHtml);
  adapter.get(`${DOCS_PATH}/swagger-ui-init.js`, (_req: unknown, reply: Reply) =>
    reply.type('application/javascript; charset=utf-8').send(init),
  );
  for (const [file, contentType] of Object.entries(SWAGGER_UI_ASSETS)) {
    adapter.get(`${DOCS_PATH}/${file}`, (_req: unknown, reply: Reply) => {
      let body = cache.get(file);
      if (!body) {
        body = readFileSync(join(distDir, file));
        cache.set(file, body);
      }
      return reply.type(contentType).header('cache-control', 'public, max-age=86400').send(body);
    });
  }
}
