import { knownStoredTypes } from '@ledger/domain';
import { cloudEventSource, cloudEventTypeOf } from '../cloud-event';
import { eventDataTypeOf, eventSchemaId, LEDGER_CLOUD_EVENT_SCHEMA_ID } from '../schemas/event-schema-catalog';
import { EVENT_DATA_SCHEMAS, JsonSchema, LEDGER_CLOUD_EVENT_SCHEMA } from '../schemas';

export interface LedgerAsyncApiOptions {
  /** The ledger's origin (LEDGER_ORIGIN): the CloudEvents `source` is urn:incident-ledger:<origin>. */
  origin: string;
  /** Where the ledger's HTTP API is reached, e.g. https://ledger.example:3000; the document names no server without it. */
  serverUrl?: string;
}

export type AsyncApiDocument = Record<string, unknown>;

/** Bumped when the envelope or the feeds change incompatibly; event data versions live in the type names. */
export const LEDGER_ASYNCAPI_VERSION = '1.0.0';
export const CLOUD_EVENTS_CONTENT_TYPE = 'application/cloudevents+json';

const HTTP_BINDING_VERSION = '0.3.0';
const ENVELOPE = 'LedgerCloudEvent';
const POSITION = { type: 'string', pattern: '^(0|[1-9][0-9]*)$' } as const;
const ref = (pointer: string) => ({ $ref: pointer });
const schemaRef = (name: string) => ref(`#/components/schemas/${name}`);

const DELIVERY = [
  'Delivery, on both feeds:',
  '',
  '- **Order.** Events come in global order, which is the order of their `position` (the SSE `id`, the paged cursor). Each stream\'s events therefore come in stream order (`streamrevision`).',
  '- **At least once.** After a reconnect an event may come again: deduplicate by `position`. Positions are strictly increasing, not dense, so keeping the last one seen is enough.',
  '- **No gaps.** A consumer resumes from the last position it processed (`Last-Event-ID` or `from` on the stream, `after` on pages) and gets every later event. When the store fails over (an EventStoreDB leader change) the ledger resumes its own subscription from the last position it delivered, so the feed neither skips nor reorders.',
  '- **Immutable.** An event never changes once delivered. A party changing its mind is a new event (`ClaimCorrected`, `ClaimRetracted`); the ledger fixing its own transcription is a new event too (`EntryAmended`), and so is a recorder grading or regrading the source of a claim (`SourceGraded`). Each event carries `hash` and `prevhash`, its stream\'s hash chain, which `GET /integrity/verify` and the signed checkpoints vouch for.',
  '- **Versioned types.** `type` is `dev.incident-ledger.<Name>.v<N>`; `data` is valid against the JSON Schema at `dataschema`. A new data version is a new type (and a new message here); consumers should skip types they do not know.',
].join('\n');

const AUTH =
  'A bearer token with the role `integrator` (or `admin`; the live stream also takes `reader`, `recorder` and `auditor` tokens, for the dashboard): `Authorization: Bearer <token>`. A token may be scoped to some incidents and parties; the feeds then deliver only the events of those. Refusals are RFC 9457 problems (application/problem+json; see /openapi.json).';

const repeatable = (description: string, items: Record<string, unknown>) => ({
  type: 'array',
  items,
  description: `${description} Repeatable (\`?x=a&x=b\`): events matching any of the values.`,
});

const FILTERS = {
  incident: repeatable('Only the events of this incident (its stream incident-<uuid>).', { type: 'string', format: 'uuid' }),
  party: repeatable('Only the events concerning this party (its id, e.g. karabakh-defense-army).', {
    type: 'string',
    pattern: '^[a-z0-9]+(-[a-z0-9]+)*$',
  }),
  type: repeatable('Only events of this stored type, e.g. ClaimMade.v1.', { type: 'string', pattern: '^[A-Z][A-Za-z]+\\.v[1-9][0-9]*$' }),
};

/** `#/definitions/X` inside an event schema, re-pointed at the copy embedded under components/schemas/<name>. */
const embed = (name: string, schema: JsonSchema): Record<string, unknown> => {
  const { $schema: _dialect, $id, ...rest } = schema;
  const repoint = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(repoint);
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [
        key,
        key === '$ref' && typeof inner === 'string' && inner.startsWith('#/definitions/')
          ? `#/components/schemas/${name}/definitions/${inner.slice('#/definitions/'.length)}`
          : repoint(inner),
      ]),
    );
  };
  return { ...(repoint(rest) as Record<string, unknown>), externalDocs: { description: 'The published JSON Schema', url: $id } };
};

const dataSchemaOf = (storedType: string): JsonSchema => {
  const schema = EVENT_DATA_SCHEMAS[storedType];
  if (!schema) throw new Error(`No generated schema for stored type ${storedType}: run npm run schemas`);
  return schema;
};

const eventMessage = (storedType: string, origin: string) => {
  const { summary } = eventDataTypeOf(storedType);
  return {
    name: storedType,
    title: storedType,
    summary,
    description:
      `A ${cloudEventTypeOf(storedType)} CloudEvent. On /feed/stream one SSE frame each: \`id: <position>\` and \`data: <the CloudEvent as one line of JSON>\`, ` +
      'with no `event:` field, so `EventSource.onmessage` receives it. On /feed/events one item of a page.',
    contentType: CLOUD_EVENTS_CONTENT_TYPE,
    correlationId: { description: 'The request that recorded the event.', location: '$message.payload#/correlationid' },
    payload: {
      allOf: [
        schemaRef(ENVELOPE),
        {
          type: 'object',
          properties: {
            type: { const: cloudEventTypeOf(storedType) },
            source: { const: cloudEventSource(origin) },
            dataschema: { const: eventSchemaId(storedType) },
            data: schemaRef(storedType),
          },
        },
      ],
    },
  };
};

const asyncApiInfo = (origin: string): AsyncApiDocument => ({
  title: 'Incident Ledger integrator feeds',
  version: LEDGER_ASYNCAPI_VERSION,
  description: [
    `Every event of the ledger \`${origin}\` (who said what about which incident: parties, incidents, claims, denials, corrections, retractions, amendments) as a CloudEvents 1.0 JSON event, in two feeds over HTTP: a resumable server-sent-events stream and a paged read of the global log.`,
    '',
    DELIVERY,
    '',
    `The envelope schema is ${LEDGER_CLOUD_EVENT_SCHEMA_ID}; each type's data schema is named by its \`dataschema\` and served at /schemas/events/<type>.json (index: /schemas/events).`,
  ].join('\n'),
  tags: [{ name: 'integrators' }],
});

const eventChannels = (storedTypes: readonly string[]): AsyncApiDocument => ({
  eventStream: {
    address: '/feed/stream',
    title: 'Event stream (server-sent events)',
    description: [
      '`GET /feed/stream` answers `text/event-stream` and stays open. Frames:',
      '',
      '- each ledger event: `id: <position>` then `data: <CloudEvent JSON>` (no `event:` field);',
      '- a comment line `: heartbeat <ISO time>` every 15 s, so proxies and clients see a live connection;',
      '- a `retry:` hint (milliseconds) for the client\'s reconnection delay;',
      '- `event: cut-off` with `data: {"reason":"slow-consumer"|"shutdown","resumeFrom":"<position>"}` as the last frame before the ledger closes a consumer that cannot keep up, or shuts down. Reconnect with `Last-Event-ID` (or `from`) to resume.',
      '',
      'The stream starts after `from` (a position, exclusive; default: the beginning of the log) or after the `Last-Event-ID` request header, which wins over `from` so that `EventSource` reconnects resume where they stopped.',
    ].join('\n'),
    messages: {
      ...Object.fromEntries(storedTypes.map((t) => [t, ref(`#/components/messages/${t}`)])),
      cutOff: ref('#/components/messages/cutOff'),
    },
  },
  eventPages: {
    address: '/feed/events',
    title: 'Event pages',
    description:
      '`GET /feed/events?after=<position>&limit=<1..1000>` answers one page of the global log as JSON: `items` (CloudEvents, in position order), `next` (the `after` of the following page) and `head` (the position of the last event in the log). Read on with `after=<next>`; once `next` has reached `head` the reader has caught up and asks again later.',
    messages: { eventPage: ref('#/components/messages/eventPage') },
  },
});

/** An HTTP GET binding whose query takes these parameters and the feeds' filters. */
const getWithQuery = (properties: Record<string, unknown>) => ({
  http: { method: 'GET', query: { type: 'object', properties: { ...properties, ...FILTERS } }, bindingVersion: HTTP_BINDING_VERSION },
});

const feedOperations = (storedTypes: readonly string[], security: unknown[]): AsyncApiDocument => {
  const eventMessageRefs = (channel: string) => storedTypes.map((t) => ref(`#/channels/${channel}/messages/${t}`));
  return {
    receiveEventStream: {
      action: 'receive',
      channel: ref('#/channels/eventStream'),
      title: 'Follow the log',
      summary: 'Receive every ledger event as it is recorded, resuming where the last connection stopped.',
      description: `${DELIVERY}\n\n${AUTH}\n\nRequest header \`Last-Event-ID: <position>\` (sent by EventSource on reconnect) resumes after that position and wins over \`from\`.`,
      security,
      bindings: getWithQuery({
        from: { ...POSITION, description: 'Start after this global position (exclusive). Default: the beginning of the log. `Last-Event-ID` wins.' },
      }),
      messages: [...eventMessageRefs('eventStream'), ref('#/channels/eventStream/messages/cutOff')],
    },
    receiveEventPages: {
      action: 'receive',
      channel: ref('#/channels/eventPages'),
      title: 'Read the log page by page',
      summary: 'Read the ledger events after a position, one page at a time.',
      description: `${DELIVERY}\n\n${AUTH}`,
      security,
      bindings: getWithQuery({
        after: { ...POSITION, description: 'Events after this global position (exclusive); a previous page\'s `next`. Default: the beginning of the log.' },
        limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100, description: 'Most events in the page.' },
      }),
      messages: [ref('#/channels/eventPages/messages/eventPage')],
    },
  };
};

const feedComponents = (storedTypes: readonly string[], origin: string): AsyncApiDocument => ({
  schemas: {
    [ENVELOPE]: embed(ENVELOPE, LEDGER_CLOUD_EVENT_SCHEMA),
    ...Object.fromEntries(storedTypes.map((t) => [t, embed(t, dataSchemaOf(t))])),
    CutOff: {
      type: 'object',
      required: ['reason', 'resumeFrom'],
      properties: {
        reason: {
          type: 'string',
          enum: ['slow-consumer', 'shutdown'],
          description: '`slow-consumer`: the client read too slowly and its buffer filled; `shutdown`: the ledger is stopping.',
        },
        resumeFrom: { ...POSITION, description: 'The last position delivered on this connection: reconnect with `Last-Event-ID` (or `from`) set to it.' },
      },
      additionalProperties: false,
    },
    EventPage: {
      type: 'object',
      required: ['items', 'next', 'head'],
      properties: {
        items: {
          type: 'array',
          items: schemaRef(ENVELOPE),
          description: `The events after \`after\`, in position order; each one of the event messages (${storedTypes.join(', ')}).`,
        },
        next: { ...POSITION, description: 'Pass as `after` to read the following page.' },
        head: { ...POSITION, description: 'The position of the last event in the log when the page was read.' },
      },
    },
  },
  messages: {
    ...Object.fromEntries(storedTypes.map((t) => [t, eventMessage(t, origin)])),
    cutOff: {
      name: 'cut-off',
      title: 'Cut-off',
      summary: 'The ledger is about to close this connection; resume from `resumeFrom`.',
      description: 'The SSE frame `event: cut-off` with `data: <JSON>`, always the last one of a connection the ledger closes. EventSource delivers it to `addEventListener("cut-off", ...)`, not to `onmessage`.',
      contentType: 'application/json',
      payload: schemaRef('CutOff'),
    },
    eventPage: {
      name: 'event-page',
      title: 'Event page',
      summary: 'One page of the global log.',
      contentType: 'application/json',
      payload: schemaRef('EventPage'),
      bindings: { http: { statusCode: 200, bindingVersion: HTTP_BINDING_VERSION } },
    },
  },
  securitySchemes: {
    integratorToken: { type: 'http', scheme: 'bearer', description: AUTH },
  },
});

const serversOf = (serverUrl: string | undefined, origin: string, security: unknown[]): AsyncApiDocument => {
  const server = serverUrl ? new URL(serverUrl) : undefined;
  if (!server) return {};
  return {
    servers: {
      ledger: {
        host: server.host,
        protocol: server.protocol.replace(/:$/, ''),
        ...(server.pathname !== '/' ? { pathname: server.pathname.replace(/\/$/, '') } : {}),
        title: 'Incident Ledger HTTP API',
        description: `The ledger \`${origin}\`.`,
        security,
      },
    },
  };
};

export const buildLedgerAsyncApi = ({ origin, serverUrl }: LedgerAsyncApiOptions): AsyncApiDocument => {
  const storedTypes = knownStoredTypes();
  const security = [ref('#/components/securitySchemes/integratorToken')];
  return {
    asyncapi: '3.0.0',
    id: cloudEventSource(origin),
    info: asyncApiInfo(origin),
    defaultContentType: CLOUD_EVENTS_CONTENT_TYPE,
    ...serversOf(serverUrl, origin, security),
    channels: eventChannels(storedTypes),
    operations: feedOperations(storedTypes, security),
    components: feedComponents(storedTypes, origin),
  };
};
