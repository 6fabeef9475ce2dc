import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createGenerator } from 'ts-json-schema-generator';
import { knownStoredTypes } from '@ledger/domain';
import { cloudEventTypeOf, LedgerCloudEvent } from '../cloud-event';
import { eventDataTypeOf, eventSchemaFileName, eventSchemaId, LEDGER_CLOUD_EVENT_SCHEMA_ID } from './event-schema-catalog';

/*
 * Development-time only (it loads the TypeScript compiler): never export this module from the library's index,
 * or the bundled app would pull the compiler in.
 */

/** The files the data interfaces and the envelope interface are exported from, relative to the repository root. */
export const SCHEMA_SOURCES = ['libs/domain/src/index.ts', 'libs/contracts/src/cloud-event.ts'] as const;
export const EVENT_SCHEMA_DIR = 'libs/contracts/schemas/events';
export const ENVELOPE_SCHEMA_FILE = 'libs/contracts/schemas/ledger-cloud-event.json';
export const SCHEMA_INDEX_FILE = 'libs/contracts/src/schemas/index.ts';

type JsonObject = Record<string, unknown>;

export interface GeneratedFile {
  /** Relative to the repository root, with forward slashes. */
  path: string;
  content: string;
}

const DECIMAL = '^(0|[1-9][0-9]*)$';
const SHA256_HEX = '^[0-9a-f]{64}$';

/*
 * What the TypeScript interface cannot say about the envelope: formats, patterns and descriptions. Keyed by the
 * interface's own keys, so renaming an attribute there without updating this table fails to compile.
 */
const ENVELOPE_ATTRIBUTES: Record<keyof LedgerCloudEvent, JsonObject> = {
  specversion: { description: 'CloudEvents specification version.' },
  id: { minLength: 1, description: "The ledger's event id (a UUID, deterministic from the Idempotency-Key when the recorder sent one)." },
  source: { format: 'uri-reference', pattern: '^urn:incident-ledger:', description: 'urn:incident-ledger:<origin>, the origin that also names the ledger in its signed checkpoints.' },
  type: {
    pattern: '^dev\\.incident-ledger\\.[A-Z][A-Za-z]+\\.v[1-9][0-9]*$',
    description: 'dev.incident-ledger.<stored type>, e.g. dev.incident-ledger.ClaimMade.v1. A new data version is a new type.',
  },
  subject: { pattern: '^(incident|party)/.+$', description: 'What the event is about: incident/<uuid> or party/<party id>.' },
  time: { format: 'date-time', description: 'When the ledger recorded the event (server clock): the recorded time, never when the incident happened or when a party spoke.' },
  datacontenttype: { description: '`data` is JSON.' },
  dataschema: {
    format: 'uri',
    pattern: '^https://incident-ledger\\.dev/schemas/events/[A-Z][A-Za-z]+\\.v[1-9][0-9]*\\.json$',
    description: 'The JSON Schema of `data` for this type and version; served by the ledger at /schemas/events/<stored type>.json.',
  },
  data: { description: 'The event data; valid against the schema named by `dataschema`.' },
  position: {
    pattern: DECIMAL,
    description: "The event's place in the global log (a 64-bit integer as a decimal string), strictly increasing: the SSE `id`, the paged feed's cursor and the key to deduplicate on.",
  },
  stream: { pattern: '^(incident|party)-.+$', description: 'The stream the event belongs to: incident-<uuid> or party-<party id>.' },
  streamrevision: { pattern: DECIMAL, description: "The event's 0-based index in its stream (a 64-bit integer as a decimal string)." },
  recordedby: { minLength: 1, description: 'The authenticated principal who recorded the event.' },
  correlationid: { minLength: 1, description: 'Correlation id of the request that recorded the event.' },
  causationid: { minLength: 1, description: 'Id of what caused the event (the request, or an earlier event).' },
  hash: { pattern: SHA256_HEX, description: "Lowercase hex SHA-256 of the event's RFC 8785 canonical content; links the stream's hash chain." },
  prevhash: { pattern: SHA256_HEX, description: 'The hash of the previous event of the same stream; absent on a stream\'s first event.' },
};

const ENVELOPE_DESCRIPTION =
  'A ledger event as the integrator feeds (/feed/stream, /feed/events) deliver it: a CloudEvents 1.0 structured-mode JSON event. ' +
  'Extension attribute names are lowercase alphanumerics; 64-bit positions and revisions travel as decimal strings, since CloudEvents extension integers are 32-bit. ' +
  'Further extension attributes may be added without a new version, so consumers must ignore the ones they do not know.';

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/** `$schema`, `$id`, `title` and `description` first, so the files read from the top. */
const withHeader = (schema: JsonObject, header: { $id: string; title: string; description: string }): JsonObject => {
  const { $schema, description: _own, ...rest } = schema;
  return { $schema, ...header, ...rest };
};

const envelopeSchemaOf = (generated: JsonObject): JsonObject => {
  const properties = generated.properties as Record<string, JsonObject>;
  const unknown = Object.keys(properties).filter((name) => !(name in ENVELOPE_ATTRIBUTES));
  if (unknown.length > 0) throw new Error(`LedgerCloudEvent attributes without a schema entry: ${unknown.join(', ')}`);
  const { additionalProperties: _closed, definitions: _none, ...rest } = generated;
  return withHeader(
    {
      ...rest,
      properties: Object.fromEntries(
        Object.entries(properties).map(([name, schema]) => {
          const { description: _own, ...generatedSchema } = schema;
          return [name, { ...generatedSchema, ...ENVELOPE_ATTRIBUTES[name as keyof LedgerCloudEvent] }];
        }),
      ),
      propertyNames: { pattern: '^[a-z0-9]{1,20}$' },
    },
    { $id: LEDGER_CLOUD_EVENT_SCHEMA_ID, title: 'Ledger CloudEvent', description: ENVELOPE_DESCRIPTION },
  );
};

const identifierOf = (storedType: string): string => {
  const name = storedType.replace(/\.v(\d+)$/, 'V$1');
  return `${name[0].toLowerCase()}${name.slice(1)}Schema`;
};

const indexSource = (storedTypes: readonly string[]): string => {
  const importPath = (file: string) => `../../schemas/${file}`;
  return [
    '// Generated by `npm run schemas` from the TypeScript event definitions: change those and regenerate, never edit this file.',
    '// The schemas are imported, not read from disk, so that the bundled app carries them.',
    `import ledgerCloudEventSchema from '${importPath('ledger-cloud-event.json')}';`,
    ...storedTypes.map((t) => `import ${identifierOf(t)} from '${importPath(`events/${eventSchemaFileName(t)}`)}';`),
    '',
    'export type JsonSchema = Readonly<Record<string, unknown>>;',
    '',
    '/** The JSON Schema of the CloudEvents envelope the integrator feeds deliver. */',
    'export const LEDGER_CLOUD_EVENT_SCHEMA: JsonSchema = ledgerCloudEventSchema;',
    '',
    '/** Stored type (`ClaimMade.v1`) → the JSON Schema of its data. */',
    'export const EVENT_DATA_SCHEMAS: Readonly<Record<string, JsonSchema>> = {',
    ...storedTypes.map((t) => `  '${t}': ${identifierOf(t)},`),
    '};',
    '',
  ].join('\n');
};

/** Every contract file, as `npm run schemas` writes it. Takes a second or two: it builds a TypeScript program. */
export const generateContractFiles = (rootDir: string): GeneratedFile[] => {
  const generator = createGenerator({
    path: `{${SCHEMA_SOURCES.map((source) => join(rootDir, source)).join(',')}}`,
    tsconfig: join(rootDir, 'tsconfig.json'),
    expose: 'export',
    topRef: false,
    jsDoc: 'extended',
    additionalProperties: false,
    // tsc checks the code; the generator only needs the declarations.
    skipTypeCheck: true,
  });
  const storedTypes = knownStoredTypes();
  const eventFiles = storedTypes.map((storedType): GeneratedFile => {
    const { dataType, summary } = eventDataTypeOf(storedType);
    const schema = withHeader(generator.createSchema(dataType) as JsonObject, {
      $id: eventSchemaId(storedType),
      title: storedType,
      description: `${summary} The data of CloudEvents of type ${cloudEventTypeOf(storedType)}; generated from the TypeScript interface ${dataType}.`,
    });
    return { path: `${EVENT_SCHEMA_DIR}/${eventSchemaFileName(storedType)}`, content: json(schema) };
  });
  return [
    ...eventFiles,
    { path: ENVELOPE_SCHEMA_FILE, content: json(envelopeSchemaOf(generator.createSchema('LedgerCloudEvent') as JsonObject)) },
    { path: SCHEMA_INDEX_FILE, content: indexSource(storedTypes) },
  ];
};

/** Schema files in the events directory that no stored type produces any more. */
export const staleEventSchemaFiles = (rootDir: string, files: readonly GeneratedFile[]): string[] => {
  const dir = join(rootDir, EVENT_SCHEMA_DIR);
  if (!existsSync(dir)) return [];
  const expected = new Set(files.map((f) => f.path));
  return readdirSync(dir)
    .map((name) => `${EVENT_SCHEMA_DIR}/${name}`)
    .filter((path) => !expected.has(path));
};

export interface WriteOutcome {
  written: string[];
  unchanged: string[];
  removed: string[];
}

export const writeContractFiles = (rootDir: string): WriteOutcome => {
  const files = generateContractFiles(rootDir);
  const outcome: WriteOutcome = { written: [], unchanged: [], removed: staleEventSchemaFiles(rootDir, files) };
  for (const path of outcome.removed) rmSync(join(rootDir, path));
  for (const file of files) {
    const target = join(rootDir, file.path);
    if (existsSync(target) && readFileSync(target, 'utf8') === file.content) {
      outcome.unchanged.push(file.path);
      continue;
    }
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.content);
    outcome.written.push(file.path);
  }
  return outcome;
};
