import type { AsyncAPIDocumentInterface } from '@asyncapi/parser';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { knownStoredTypes } from '@ledger/domain';
import { toCloudEvent } from '../cloud-event';
import { parseAsyncApi } from '../testing/asyncapi-validation';
import { seedRecordedEvents } from '../testing/seed-recorded-events';
import { buildLedgerAsyncApi } from './ledger-asyncapi';

const ORIGIN = 'karabakh-desk';

describe('the AsyncAPI document of the integrator feeds', () => {
  const doc = buildLedgerAsyncApi({ origin: ORIGIN, serverUrl: 'https://ledger.example:8443/api/' });
  let document: AsyncAPIDocumentInterface;

  beforeAll(async () => {
    const parsed = await parseAsyncApi(doc);
    expect(parsed.errors).toEqual([]);
    document = parsed.document!;
  }, 30_000);

  it('is an AsyncAPI 3.0.0 document for this ledger, served over its HTTP API with bearer tokens', () => {
    expect(document.version()).toBe('3.0.0');
    expect(document.info().id()).toBe('urn:incident-ledger:karabakh-desk');
    const server = document.servers().get('ledger')!;
    expect({ host: server.host(), protocol: server.protocol(), pathname: server.pathname() }).toEqual({
      host: 'ledger.example:8443',
      protocol: 'https',
      pathname: '/api',
    });
    expect(server.security()[0].all()[0].scheme().json()).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('names no server when it is not told where the ledger is', () => {
    expect(buildLedgerAsyncApi({ origin: ORIGIN }).servers).toBeUndefined();
  });

  it('lists every stored type of the registry as a message of the event stream, plus the cut-off', () => {
    const stream = document.channels().get('eventStream')!;
    expect(stream.address()).toBe('/feed/stream');
    expect(stream.messages().all().map((m) => m.name())).toEqual([...knownStoredTypes(), 'cut-off']);
    const operation = document.operations().get('receiveEventStream')!;
    expect(operation.action()).toBe('receive');
    expect(operation.messages().all().map((m) => m.name())).toEqual([...knownStoredTypes(), 'cut-off']);
  });

  it('describes the paged feed with its query and its page shape', () => {
    const pages = document.channels().get('eventPages')!;
    expect(pages.address()).toBe('/feed/events');
    const binding = document.operations().get('receiveEventPages')!.bindings().get('http')!;
    expect(binding.value()).toMatchObject({ method: 'GET' });
    const query = (binding.value() as { query: { properties: Record<string, unknown> } }).query.properties;
    expect(Object.keys(query)).toEqual(['after', 'limit', 'incident', 'party', 'type']);
    expect(query.limit).toMatchObject({ type: 'integer', minimum: 1, maximum: 1000, default: 100 });
    expect(pages.messages().all()[0].payload()!.required()).toEqual(['items', 'next', 'head']);
  });

  it('states the delivery guarantees integrators build on', () => {
    const text = document.info().description()!;
    expect(text).toMatch(/global order.*position/i);
    expect(text).toMatch(/at least once/i);
    expect(text).toMatch(/deduplicate by `position`/);
    expect(text).toMatch(/leader change/);
    expect(text).toMatch(/never changes once delivered/);
    expect(document.channels().get('eventStream')!.description()).toContain('`Last-Event-ID`');
    expect(document.channels().get('eventStream')!.description()).toContain(': heartbeat <ISO time>');
  });

  it("describes each event message's payload so that the real events validate against it, data included", () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    const payloads = new Map(document.allMessages().all().map((m) => [m.name(), ajv.compile(m.payload()!.json())]));
    for (const event of seedRecordedEvents()) {
      const validate = payloads.get(event.type)!;
      const ce = toCloudEvent(event, ORIGIN);
      expect({ type: event.type, valid: validate(ce), errors: validate.errors ?? null }).toEqual({ type: event.type, valid: true, errors: null });
      expect(validate({ ...ce, data: { ...(ce.data as object), unexpected: true } })).toBe(false);
      expect(validate(toCloudEvent(event, 'another-ledger'))).toBe(false);
    }
    const cutOff = payloads.get('cut-off')!;
    expect(cutOff({ reason: 'slow-consumer', resumeFrom: '118' })).toBe(true);
    expect(cutOff({ reason: 'bored', resumeFrom: '118' })).toBe(false);
  });

  it('embeds every schema, so the parser resolves it without the network', () => {
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]*"/g) ?? [];
    expect(refs.filter((r) => !r.startsWith('"$ref":"#/'))).toEqual([]);
    const claimSchema = document.components().schemas().get('ClaimMade.v1')!;
    expect(claimSchema.externalDocs()?.url()).toBe('https://incident-ledger.dev/schemas/events/ClaimMade.v1.json');
    expect(Object.keys(claimSchema.properties()!.statement.properties()!)).toEqual(['text', 'verbatim', 'language']);
  });

  it('is refused by the parser when a reference is broken, so a clean parse means something', async () => {
    const broken = structuredClone(doc) as { channels: { eventStream: { messages: Record<string, unknown> } } };
    broken.channels.eventStream.messages['ClaimMade.v1'] = { $ref: '#/components/messages/ClaimMade.v7' };
    expect((await parseAsyncApi(broken)).errors).not.toEqual([]);
  });
});
