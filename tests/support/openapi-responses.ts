import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

/*
 * Validates real answers against the OpenAPI document the ledger publishes: every success response the e2e suites
 * see through startLedger() is checked, so a read model, DTO or controller that drifts from its published schema
 * fails the test that produced the answer.
 */

type Json = Record<string, unknown>;

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, { schema?: Json }> }> }>>;
  components?: { schemas?: Record<string, Json> };
}

export interface DocumentedResponse {
  method: string;
  /** As in the document: /incidents/{incidentId}. */
  path: string;
  status: string;
}

export interface CheckedResponse extends DocumentedResponse {
  /** Schema violations, empty when the body matches. */
  errors: string[];
}

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'patch']);

/** A path template as a pattern; literal segments win over parameters, so /schemas/events beats /schemas/{name}. */
const templateOf = (path: string) => ({
  path,
  pattern: new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
  parameters: (path.match(/\{/g) ?? []).length,
});

export class OpenApiResponseValidator {
  private readonly ajv: Ajv2020;
  private readonly templates: ReturnType<typeof templateOf>[];
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(private readonly document: OpenApiDocument) {
    // `example` is OpenAPI's own annotation; Ajv need not know it.
    this.ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats(this.ajv);
    const components = JSON.stringify(document.components?.schemas ?? {}).replace(/"#\/components\/schemas\//g, '"#/$defs/');
    this.ajv.addSchema({ $id: 'openapi:components', $defs: JSON.parse(components) as Json });
    this.templates = Object.keys(document.paths)
      .map(templateOf)
      .sort((a, b) => a.parameters - b.parameters);
  }

  /** Every success response the document lists, as method, path template and status. */
  successResponses(): DocumentedResponse[] {
    return Object.entries(this.document.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([method]) => HTTP_METHODS.has(method))
        .flatMap(([method, operation]) =>
          Object.keys(operation.responses ?? {})
            .filter((status) => status.startsWith('2'))
            .map((status) => ({ method: method.toUpperCase(), path, status })),
        ),
    );
  }

  /** The media types a response documents a schema for. */
  mediaTypesWithSchema(method: string, path: string, status: string): string[] {
    const content = this.document.paths[path]?.[method.toLowerCase()]?.responses?.[status]?.content ?? {};
    return Object.entries(content)
      .filter(([, media]) => media.schema !== undefined)
      .map(([type]) => type);
  }

  /** The documented schema of a success response, or undefined when the document gives none. */
  schemaOf(method: string, path: string, status: string, contentType: string): Json | undefined {
    const content = this.document.paths[path]?.[method.toLowerCase()]?.responses?.[status]?.content ?? {};
    const mediaType = contentType.split(';')[0].trim().toLowerCase();
    return content[mediaType]?.schema;
  }

  /**
   * Checks one answer. Returns undefined for answers it does not judge (not 2xx, no route in the document, a
   * live event stream); otherwise the documented route and the violations, among them a missing schema.
   */
  check(method: string, url: string, status: number, contentType: string, body: string): CheckedResponse | undefined {
    if (status < 200 || status >= 300 || status === 204) return undefined;
    const pathname = url.split('?')[0];
    const template = this.templates.find((t) => t.pattern.test(pathname) && this.document.paths[t.path][method.toLowerCase()]);
    if (!template) return undefined;
    const documented = { method: method.toUpperCase(), path: template.path, status: String(status) };
    if (contentType.startsWith('text/event-stream')) return { ...documented, errors: [] };
    const schema = this.schemaOf(method, template.path, String(status), contentType);
    if (!schema) return { ...documented, errors: [`no schema documented for ${status} ${contentType || '(no content type)'}`] };
    const validate = this.validatorFor(schema);
    const values = this.bodiesOf(contentType, body);
    const errors = values.flatMap((value, i) =>
      validate(value) ? [] : (validate.errors ?? []).map((e) => `${values.length > 1 ? `line ${i + 1} ` : ''}${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`),
    );
    return { ...documented, errors };
  }

  private bodiesOf(contentType: string, body: string): unknown[] {
    if (contentType.startsWith('application/x-ndjson')) return body.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line));
    if (/^application\/([a-z.+-]*\+)?json/.test(contentType)) return [JSON.parse(body)];
    return [body];
  }

  private validatorFor(schema: Json): ValidateFunction {
    const key = JSON.stringify(schema);
    let validate = this.compiled.get(key);
    if (!validate) {
      const rebased = JSON.parse(key.replace(/"#\/components\/schemas\//g, '"openapi:components#/$defs/')) as Json;
      validate = this.ajv.compile(rebased);
      this.compiled.set(key, validate);
    }
    return validate;
  }
}
