import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { CloudEvent } from 'cloudevents';
import type { Response } from 'light-my-request';
import { parse as parseYaml } from 'yaml';
import { JsonSchema, toCloudEvent } from '@ledger/contracts';
import { parseAsyncApi } from '@ledger/contracts/testing/asyncapi-validation';
import { compileContractSchemas, errorsOf, sdkInput } from '@ledger/contracts/testing/contract-validation';
import { EVENT_TYPES, LedgerEventType, knownStoredTypes, storedTypeOf } from '@ledger/domain';
import { EVENT_STORE, EventStore, RecordedEvent } from '@ledger/event-store';
import { DEMO_SCENARIO, runScenario } from '../../apps/ledger-api/src/demo/scenario';
import { injectSend } from '../support/http';
import { LedgerTestApp, startLedger } from '../support/ledger-test-app';
import { expectProblem } from '../support/problem-assertions';

const ROOT = join(__dirname, '..', '..');
const ORIGIN = 'contracts-e2e';
const committed = (path: string): unknown => JSON.parse(readFileSync(join(ROOT, 'libs/contracts/schemas', path), 'utf8'));

interface SchemaIndex {
  envelope: { schema: string; href: string };
  events: Record<string, { cloudEventType: string; dataschema: string; href: string; summary: string }>;
}

describe('published contracts: AsyncAPI and event schemas, served without a token', () => {
  let t: LedgerTestApp;
  let events: RecordedEvent[];
  let index: SchemaIndex;
  let responses: Map<string, Response>;
  const served: { envelope?: JsonSchema; data: Record<string, JsonSchema> } = { data: {} };

  const get = (url: string) => t.app.inject({ method: 'GET', url });

  beforeAll(async () => {
    t = await startLedger({ env: { LEDGER_ORIGIN: ORIGIN } });
    const refs = await runScenario(DEMO_SCENARIO, injectSend(t.app, t.tokens.recorder));
    // The demo has no retraction and no grade; the Minsk Group withdrawing its statement and an analyst grading the army's source give the feeds every event type.
    const retraction = await t.app.inject({
      method: 'POST',
      url: `/incidents/${refs.incident}/claims/${refs['osce-claim']}/retraction`,
      headers: { authorization: `Bearer ${t.tokens.recorder}` },
      payload: {
        partyId: 'osce-minsk-group-co-chairs',
        reason: 'Superseded by the co-chairs’ joint communiqué.',
        statedAt: { at: '2019-06-04', precision: 'day' },
        source: { title: 'Press release', publisher: 'OSCE' },
      },
    });
    expect({ status: retraction.statusCode, body: retraction.body.slice(0, 500) }).toMatchObject({ status: 201 });
    const grade = await t.app.inject({
      method: 'POST',
      url: `/incidents/${refs.incident}/claims/${refs['kda-claim']}/grades`,
      headers: { authorization: `Bearer ${t.tokens.recorder}` },
      payload: { reliability: 'C', credibility: 3, reason: 'One side’s account, unconfirmed by the monitors.' },
    });
    expect({ status: grade.statusCode, body: grade.body.slice(0, 500) }).toMatchObject({ status: 201 });
    // A claim split off and its incident merged back: every merge and split event type.
    const post = (url: string, payload: object) => t.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${t.tokens.recorder}` }, payload });
    const split = await post(`/incidents/${refs.incident}/splits`, {
      claimIds: [refs['osce-claim']],
      reason: 'The co-chairs spoke of the whole week',
      incident: {
        title: 'A week on the line of contact',
        summary: '',
        occurred: { from: '2019-05-27', to: '2019-06-02', precision: 'day' },
        location: { name: 'Line of contact, Nagorno-Karabakh conflict zone', precision: 'region' },
        category: { eventType: 'battles', subEventType: 'armed-clash', tags: [] },
      },
    });
    expect({ status: split.statusCode, body: split.body.slice(0, 500) }).toMatchObject({ status: 201 });
    const merge = await post(`/incidents/${split.json().incidentId}/merge`, { survivorId: refs.incident, reason: 'The same night after all' });
    expect({ status: merge.statusCode, body: merge.body.slice(0, 500) }).toMatchObject({ status: 201 });
    const store = t.app.get<EventStore>(EVENT_STORE);
    events = (await store.readAll({ maxCount: 10_000 })).filter((e) => /^(incident|party)-/.test(e.streamName));

    const res = await get('/schemas/events');
    expect(res.statusCode).toBe(200);
    index = res.json();
    const hrefs = [index.envelope.href, ...Object.values(index.events).map((e) => e.href)];
    responses = new Map(await Promise.all(hrefs.map(async (href) => [href, await get(href)] as const)));
    served.envelope = responses.get(index.envelope.href)!.json();
    for (const [storedType, entry] of Object.entries(index.events)) served.data[storedType] = responses.get(entry.href)!.json();
  }, 60_000);

  afterAll(() => t.close());

  it('serves an index of every stored type the feeds can deliver', () => {
    expect(Object.keys(index.events)).toEqual(knownStoredTypes());
    expect(index.events['ClaimRetracted.v1']).toEqual({
      cloudEventType: 'dev.incident-ledger.ClaimRetracted.v1',
      dataschema: 'https://incident-ledger.dev/schemas/events/ClaimRetracted.v1.json',
      href: '/schemas/events/ClaimRetracted.v1.json',
      summary: 'The claimant withdraws its own claim, with the reason and the source.',
    });
    expect(index.envelope).toEqual({ schema: 'https://incident-ledger.dev/schemas/ledger-cloud-event.json', href: '/schemas/ledger-cloud-event.json' });
  });

  it('serves every schema exactly as committed, as application/schema+json', () => {
    for (const [storedType, entry] of Object.entries(index.events)) {
      const res = responses.get(entry.href)!;
      expect({ href: entry.href, status: res.statusCode }).toEqual({ href: entry.href, status: 200 });
      expect(res.headers['content-type']).toBe('application/schema+json; charset=utf-8');
      expect(res.json()).toEqual(committed(`events/${storedType}.json`));
      expect(res.json().$id).toBe(entry.dataschema);
    }
    const envelope = responses.get(index.envelope.href)!;
    expect(envelope.statusCode).toBe(200);
    expect(envelope.headers['content-type']).toBe('application/schema+json; charset=utf-8');
    expect(envelope.json()).toEqual(committed('ledger-cloud-event.json'));
  });

  it('answers 404 problem+json for a schema it does not have', async () => {
    for (const url of ['/schemas/events/ClaimMade.v9.json', '/schemas/events/ClaimMade.v1', '/schemas/events/constructor.json', '/schemas/events/__proto__.json']) {
      const body = expectProblem(await get(url), 404, 'not-found');
      expect(body.detail).toContain('/schemas/events');
    }
  });

  it('validates the data of every event the seed scenario wrote against the served schema of its type', () => {
    // Every type as written today; an older version (ClaimDenied.v1) is read, never written.
    expect(new Set(events.map((e) => e.type))).toEqual(new Set((Object.keys(EVENT_TYPES) as LedgerEventType[]).map(storedTypeOf)));
    const { data } = compileContractSchemas(served.envelope!, served.data);
    for (const event of events) {
      const validate = data.get(event.type)!;
      expect({ position: event.position.toString(), type: event.type, errors: validate(event.data) ? [] : errorsOf(validate) }).toEqual({
        position: event.position.toString(),
        type: event.type,
        errors: [],
      });
    }
  });

  it('turns every event into a CloudEvent the SDK accepts and the served envelope schema validates', () => {
    const { envelope } = compileContractSchemas(served.envelope!, served.data);
    for (const event of events) {
      const ce = toCloudEvent(event, ORIGIN);
      expect(() => new CloudEvent<unknown>(sdkInput(ce), true)).not.toThrow();
      expect(JSON.parse(JSON.stringify(new CloudEvent<unknown>(sdkInput(ce))))).toEqual(ce);
      expect({ position: ce.position, errors: envelope(ce) ? [] : errorsOf(envelope) }).toEqual({ position: ce.position, errors: [] });
      expect(ce.source).toBe(`urn:incident-ledger:${ORIGIN}`);
      expect(ce.hash).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('serves an AsyncAPI document that parses without errors and describes every event type with its served schema', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/asyncapi.json', headers: { host: 'ledger.example:8443' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const { document, errors } = await parseAsyncApi(res.json());
    expect(errors).toEqual([]);
    expect(document!.info().id()).toBe(`urn:incident-ledger:${ORIGIN}`);
    const server = document!.servers().get('ledger')!;
    expect({ protocol: server.protocol(), host: server.host() }).toEqual({ protocol: 'http', host: 'ledger.example:8443' });
    const messages = document!.channels().get('eventStream')!.messages().all();
    expect(messages.map((m) => m.name())).toEqual([...knownStoredTypes(), 'cut-off']);

    const ajv = new Ajv({ strict: false });
    addFormats(ajv);
    const payloads = new Map(messages.map((m) => [m.name(), ajv.compile(m.payload()!.json())]));
    for (const event of events) expect(payloads.get(event.type)!(toCloudEvent(event, ORIGIN))).toBe(true);
    for (const storedType of knownStoredTypes()) {
      const { externalDocs: _link, ...embedded } = document!.components().schemas().get(storedType)!.json() as Record<string, unknown>;
      expect(embedded.required).toEqual(served.data[storedType].required);
    }
  });

  it('serves the same document as YAML', async () => {
    const [json, yaml] = await Promise.all([get('/asyncapi.json'), get('/asyncapi.yaml')]);
    expect(yaml.statusCode).toBe(200);
    expect(yaml.headers['content-type']).toBe('application/yaml; charset=utf-8');
    expect(yaml.body).toMatch(/^asyncapi: 3\.0\.0\n/);
    expect(parseYaml(yaml.body)).toEqual(json.json());
    expect((await parseAsyncApi(yaml.body)).errors).toEqual([]);
  });
});
