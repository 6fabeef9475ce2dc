import { CloudEvent, HTTP, ValidationError } from 'cloudevents';
import { EVENT_TYPES, LedgerEventType, storedTypeOf } from '@ledger/domain';
import { LedgerCloudEvent, toCloudEvent } from '../cloud-event';
import { compileContractSchemas, errorsOf, sdkInput } from '../testing/contract-validation';
import { seedRecordedEvents } from '../testing/seed-recorded-events';
import { EVENT_DATA_SCHEMAS, LEDGER_CLOUD_EVENT_SCHEMA } from './index';

const ORIGIN = 'incident-ledger';
const attributesOf = (ce: CloudEvent<unknown>) => JSON.parse(JSON.stringify(ce)) as Record<string, unknown>;

describe('ledger events as CloudEvents', () => {
  const recorded = seedRecordedEvents();
  const envelopes = recorded.map((e) => toCloudEvent(e, ORIGIN));
  const { envelope: validateEnvelope, data: dataValidators } = compileContractSchemas(LEDGER_CLOUD_EVENT_SCHEMA, EVENT_DATA_SCHEMAS);
  const envelopeErrors = (value: unknown): string[] => (validateEnvelope(value) ? [] : errorsOf(validateEnvelope));

  it('covers every event type, and both first and later events of a stream', () => {
    // Every type as written today; older versions (ClaimDenied.v1) are read, never written.
    expect(new Set(recorded.map((e) => e.type))).toEqual(new Set((Object.keys(EVENT_TYPES) as LedgerEventType[]).map(storedTypeOf)));
    expect(envelopes.filter((e) => e.prevhash === undefined).map((e) => e.stream)).toEqual([
      'party-azerbaijan-defence-ministry',
      'party-azerbaijan-foreign-ministry',
      'party-karabakh-defense-army',
      'party-armenia-foreign-ministry',
      'party-osce-minsk-group-co-chairs',
      'incident-5b0e6f1c-3c2a-4d7e-9f41-2019060300a1',
      'incident-5b0e6f1c-3c2a-4d7e-9f41-2019060300f9',
    ]);
  });

  it('are accepted by the CloudEvents SDK in strict mode, every attribute kept', () => {
    for (const envelope of envelopes) {
      const ce = new CloudEvent<unknown>(sdkInput(envelope), true);
      expect(ce.validate()).toBe(true);
      expect(attributesOf(ce)).toEqual(envelope);
    }
  });

  it('survive the SDK round trips: toJSON, structured and binary HTTP, and plain JSON text', () => {
    for (const envelope of envelopes) {
      const ce = new CloudEvent<unknown>(sdkInput(envelope));
      const viaStructured = HTTP.toEvent(HTTP.structured(ce)) as CloudEvent<unknown>;
      const viaBinary = HTTP.toEvent(HTTP.binary(ce)) as CloudEvent<unknown>;
      const viaText = new CloudEvent<unknown>(JSON.parse(JSON.stringify(ce)));
      const viaToJson = new CloudEvent<unknown>(ce.toJSON());
      for (const copy of [viaStructured, viaBinary, viaText, viaToJson]) expect(attributesOf(copy)).toEqual(envelope);
    }
  });

  it('are sent in structured mode as application/cloudevents+json', () => {
    const message = HTTP.structured(new CloudEvent<unknown>(sdkInput(envelopes[6])));
    expect(message.headers['content-type']).toBe('application/cloudevents+json; charset=utf-8');
    expect(JSON.parse(message.body as string)).toEqual(envelopes[6]);
  });

  it('carry only extension names the spec allows (lowercase alphanumerics, at most 20 characters)', () => {
    const names = new Set(envelopes.flatMap((e) => Object.keys(e)));
    for (const name of names) expect(name).toMatch(/^[a-z0-9]{1,20}$/);
    expect([...names].sort()).toEqual(
      [
        'causationid',
        'correlationid',
        'data',
        'datacontenttype',
        'dataschema',
        'hash',
        'id',
        'position',
        'prevhash',
        'recordedby',
        'source',
        'specversion',
        'stream',
        'streamrevision',
        'subject',
        'time',
        'type',
      ].sort(),
    );
  });

  it('are valid against the published envelope schema, and their data against the schema their dataschema names', () => {
    for (const envelope of envelopes) {
      expect({ id: envelope.id, errors: envelopeErrors(envelope) }).toEqual({ id: envelope.id, errors: [] });
      const storedType = envelope.type.replace('dev.incident-ledger.', '');
      expect(EVENT_DATA_SCHEMAS[storedType].$id).toBe(envelope.dataschema);
      expect(dataValidators.get(storedType)!(envelope.data)).toBe(true);
    }
  });

  it('show the recorded facts of the event: position, stream, revision, chain and who recorded it', () => {
    const amendment = envelopes.find((e) => e.type === 'dev.incident-ledger.EntryAmended.v2')!;
    const source = recorded.find((e) => e.type === 'EntryAmended.v2')!;
    expect(amendment).toEqual<LedgerCloudEvent>({
      specversion: '1.0',
      id: source.eventId,
      source: 'urn:incident-ledger:incident-ledger',
      type: 'dev.incident-ledger.EntryAmended.v2',
      subject: 'incident/5b0e6f1c-3c2a-4d7e-9f41-2019060300a1',
      time: '2019-06-03T09:14:00.000Z',
      datacontenttype: 'application/json',
      dataschema: 'https://incident-ledger.dev/schemas/events/EntryAmended.v2.json',
      data: source.data,
      position: '15',
      stream: 'incident-5b0e6f1c-3c2a-4d7e-9f41-2019060300a1',
      streamrevision: '9',
      recordedby: 'editor:mher',
      correlationid: 'corr-15',
      causationid: 'corr-15',
      hash: source.metadata.hash as string,
      prevhash: recorded[13].metadata.hash as string,
    });
  });

  describe('a broken envelope', () => {
    const good = envelopes[7];
    const without = (name: keyof LedgerCloudEvent): Record<string, unknown> => {
      const copy: Record<string, unknown> = { ...good };
      delete copy[name];
      return copy;
    };

    it('with an uppercase or punctuated extension name is refused by the SDK and by the schema', () => {
      expect(() => new CloudEvent({ ...good, streamRevision: '1' })).toThrow(ValidationError);
      expect(() => new CloudEvent({ ...good, stream_revision: '1' })).toThrow(/invalid extension name: stream_revision/);
      expect(envelopeErrors({ ...good, streamRevision: '1' })).toEqual([' pattern', ' propertyNames']);
    });

    it('without a source, or with a time or dataschema that is no timestamp or URI, is refused by the SDK and by the schema', () => {
      expect(() => new CloudEvent(without('source'))).toThrow(ValidationError);
      expect(() => new CloudEvent({ ...good, time: 'the day after' })).toThrow(ValidationError);
      expect(() => new CloudEvent({ ...good, dataschema: 'ClaimMade v1' })).toThrow(ValidationError);
      expect(envelopeErrors(without('source'))).toEqual([' required']);
      expect(envelopeErrors({ ...good, time: 'the day after' })).toEqual(['/time format']);
    });

    // The SDK (10.x) only checks 1.0 events and fills in a random id, so an integrator relying on it alone would
    // take these for ledger events; the envelope schema refuses them.
    it('with another specversion, or without an id, slips past the SDK but not the envelope schema', () => {
      expect(() => new CloudEvent({ ...good, specversion: '2.0' })).not.toThrow();
      expect(new CloudEvent(without('id')).id).not.toBe(good.id);
      expect(envelopeErrors({ ...good, specversion: '2.0' })).toEqual(['/specversion const']);
      expect(envelopeErrors(without('id'))).toEqual([' required']);
    });

    it('without the ledger extensions, or with a malformed position or hash, is refused by the schema', () => {
      expect(envelopeErrors(without('position'))).toEqual([' required']);
      expect(envelopeErrors({ ...good, position: 15 })).toEqual(['/position type']);
      expect(envelopeErrors({ ...good, position: '-1' })).toEqual(['/position pattern']);
      expect(envelopeErrors({ ...good, hash: 'ABC' })).toEqual(['/hash pattern']);
      expect(envelopeErrors({ ...good, type: 'ClaimMade.v1' })).toEqual(['/type pattern']);
    });

    it('may carry an extension the ledger adds later, which consumers ignore', () => {
      expect(envelopeErrors({ ...good, traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' })).toEqual([]);
    });
  });
});
