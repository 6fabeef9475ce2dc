import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ClaimMadeData,
  EntryAmendedData,
  EVENT_TYPES,
  knownStoredTypes,
  LedgerEvent,
  LedgerEventType,
  PartyRegisteredData,
  storedTypeOf,
} from '@ledger/domain';
import * as domainFixtures from '@ledger/domain/testing/seed-article.fixtures';
import { toCloudEvent } from '../cloud-event';
import { compileContractSchemas, errorsOf } from '../testing/contract-validation';
import { seedRecordedEvents, seedScenarioWithRetraction } from '../testing/seed-recorded-events';
import { EVENT_DATA_TYPES, eventDataTypeOf, eventSchemaIndex, MissingEventDataTypeError } from './event-schema-catalog';
import { EVENT_SCHEMA_DIR, generateContractFiles, GeneratedFile, SCHEMA_INDEX_FILE, staleEventSchemaFiles } from './generate-event-schemas';
import { EVENT_DATA_SCHEMAS, LEDGER_CLOUD_EVENT_SCHEMA } from './index';

const ROOT = join(__dirname, '..', '..', '..', '..');

describe('the published event schemas', () => {
  let generated: GeneratedFile[];

  beforeAll(() => {
    generated = generateContractFiles(ROOT);
  }, 60_000);

  it('are exactly what `npm run schemas` generates from the TypeScript definitions today', () => {
    const committed = generated.map((file) => ({
      path: file.path,
      content: existsSync(join(ROOT, file.path)) ? readFileSync(join(ROOT, file.path), 'utf8') : '<missing: run npm run schemas>',
    }));
    expect(committed).toEqual(generated);
    expect(staleEventSchemaFiles(ROOT, generated)).toEqual([]);
  });

  it('cover every stored type of the registry, old versions included, with one file, one table entry and one index entry each', () => {
    const stored = knownStoredTypes();
    expect(stored).toEqual([
      'PartyRegistered.v1',
      'PartyRegistered.v2',
      'IncidentReported.v1',
      'IncidentReported.v2',
      'ClaimMade.v1',
      'ClaimMade.v2',
      'ClaimMade.v3',
      'ClaimDenied.v1',
      'ClaimDenied.v2',
      'ClaimCorrected.v1',
      'ClaimCorrected.v2',
      'ClaimRetracted.v1',
      'SourceGraded.v1',
      'IncidentMergedInto.v1',
      'IncidentsMerged.v1',
      'IncidentSplit.v1',
      'IncidentSplitFrom.v1',
      'EntryAmended.v1',
      'EntryAmended.v2',
    ]);
    expect(Object.keys(EVENT_DATA_TYPES).sort()).toEqual([...stored].sort());
    expect(Object.keys(EVENT_DATA_SCHEMAS).sort()).toEqual([...stored].sort());
    for (const storedType of stored) expect(existsSync(join(ROOT, EVENT_SCHEMA_DIR, `${storedType}.json`))).toBe(true);
    expect(generated.map((f) => f.path)).toContain(SCHEMA_INDEX_FILE);
  });

  it('refuses a stored type that has no data interface listed', () => {
    expect(() => eventDataTypeOf('ClaimMade.v9')).toThrow(MissingEventDataTypeError);
  });

  it('identify themselves by the dataschema URL the CloudEvents carry, with a title and a description', () => {
    for (const event of seedRecordedEvents()) {
      const schema = EVENT_DATA_SCHEMAS[event.type];
      expect(schema).toMatchObject({
        $schema: 'http://json-schema.org/draft-07/schema#',
        $id: toCloudEvent(event, 'incident-ledger').dataschema,
        title: event.type,
        type: 'object',
        additionalProperties: false,
      });
      expect(schema.description).toContain(`generated from the TypeScript interface ${EVENT_DATA_TYPES[event.type].dataType}`);
    }
    expect(EVENT_DATA_SCHEMAS['ClaimMade.v2']).toMatchObject({
      $id: 'https://incident-ledger.dev/schemas/events/ClaimMade.v2.json',
      required: ['incidentId', 'claimId', 'partyId', 'statement', 'statedAt', 'source', 'answers', 'assertions'],
    });
  });

  it('list every stored type in the index with its CloudEvents type and schema URL', () => {
    expect(eventSchemaIndex().find((e) => e.storedType === 'ClaimDenied.v1')).toEqual({
      storedType: 'ClaimDenied.v1',
      cloudEventType: 'dev.incident-ledger.ClaimDenied.v1',
      dataschema: 'https://incident-ledger.dev/schemas/events/ClaimDenied.v1.json',
      dataType: 'ClaimDeniedV1Data',
      summary: expect.stringContaining("denies another party's claim"),
    });
    expect(eventSchemaIndex().find((e) => e.storedType === 'ClaimDenied.v2')).toMatchObject({ dataType: 'ClaimDeniedData', cloudEventType: 'dev.incident-ledger.ClaimDenied.v2' });
    expect(eventSchemaIndex().map((e) => e.storedType)).toEqual(knownStoredTypes());
  });
});

describe('validating event data against its schema', () => {
  const { data: validators } = compileContractSchemas(LEDGER_CLOUD_EVENT_SCHEMA, EVENT_DATA_SCHEMAS);
  const validate = (storedType: string, data: unknown): string[] => {
    const validator = validators.get(storedType)!;
    return validator(data) ? [] : errorsOf(validator);
  };

  const scenario = seedScenarioWithRetraction();

  it('accepts the data of every event of the seed scenario, which has every event type written today', () => {
    expect(new Set(scenario.map((e) => storedTypeOf(e.event.type)))).toEqual(new Set((Object.keys(EVENT_TYPES) as LedgerEventType[]).map(storedTypeOf)));
    for (const { event } of scenario) expect({ type: event.type, errors: validate(storedTypeOf(event.type), event.data) }).toEqual({ type: event.type, errors: [] });
  });

  it("accepts the domain fixtures' hand-written data", () => {
    const fixtures: LedgerEvent[] = [
      domainFixtures.partyRegistered(domainFixtures.karabakhArmyParty),
      domainFixtures.incidentReported(),
      ...[domainFixtures.azDefenceClaim, domainFixtures.karabakhArmyClaim, domainFixtures.azForeignClaim, domainFixtures.amForeignClaim, domainFixtures.minskGroupClaim].map(
        domainFixtures.claimMade,
      ),
      domainFixtures.claimDenied(domainFixtures.karabakhDenial),
    ];
    for (const event of fixtures) expect(validate(storedTypeOf(event.type), event.data)).toEqual([]);
  });

  it('holds a denial to the shape of its version: v1 names no claim version, v2 must', () => {
    const { claimVersion: _v, ...v1 } = domainFixtures.karabakhDenial;
    expect(validate('ClaimDenied.v1', v1)).toEqual([]);
    expect(validate('ClaimDenied.v1', domainFixtures.karabakhDenial)).toEqual([' additionalProperties']);
    expect(validate('ClaimDenied.v2', v1)).toEqual([' required']);
    expect(validate('ClaimDenied.v2', domainFixtures.karabakhDenial)).toEqual([]);
  });

  // A claim as v1 and v2 wrote it: nothing superseded.
  const { supersedes: _none, ...claim }: ClaimMadeData = domainFixtures.azDefenceClaim;

  it('holds a claim to the shape of its version: v3 names the claims it supersedes, v2 and v1 cannot', () => {
    expect(validate('ClaimMade.v3', { ...claim, supersedes: ['claim-az-earlier'] })).toEqual([]);
    expect(validate('ClaimMade.v3', claim)).toEqual([' required']);
    expect(validate('ClaimMade.v2', claim)).toEqual([]);
    expect(validate('ClaimMade.v2', { ...claim, supersedes: [] })).toEqual([' additionalProperties']);
  });

  it('holds casualties to the shape of their version: v2 groups may have no side, v1 reports always had one', () => {
    const unattributed = { ...claim, assertions: { casualties: [{ category: 'civilians', nationality: 'NL', killed: { best: 196 } }] } };
    expect(validate('ClaimMade.v2', unattributed)).toEqual([]);
    expect(validate('ClaimMade.v1', unattributed)).toContain('/assertions/casualties/0 required');
    expect(validate('ClaimMade.v2', { ...claim, assertions: { casualties: [{ category: 'tourists' }] } })).toEqual(['/assertions/casualties/0/category enum']);
  });

  it('rejects data missing a required field', () => {
    const { statedAt: _dropped, ...withoutStatedAt } = claim;
    expect(validate('ClaimMade.v1', withoutStatedAt)).toEqual([' required']);
    expect(validators.get('ClaimMade.v1')!.errors?.[0].params).toEqual({ missingProperty: 'statedAt' });
  });

  it('rejects a field of the wrong type, naming where', () => {
    expect(validate('ClaimMade.v1', { ...claim, statement: { ...claim.statement, verbatim: 'yes' } })).toEqual(['/statement/verbatim type']);
    expect(validate('ClaimMade.v1', { ...claim, answers: 'claim-az-foreign' })).toEqual(['/answers type']);
  });

  it('rejects a value outside an enumeration', () => {
    expect(validate('ClaimMade.v1', { ...claim, statedAt: { at: '2019-05-30', precision: 'hourly' } })).toEqual(['/statedAt/precision enum']);
  });

  it('rejects unknown fields in closed shapes, however deep', () => {
    expect(validate('ClaimMade.v1', { ...claim, confidence: 0.9 })).toEqual([' additionalProperties']);
    const casualties = [{ side: 'azerbaijan-defence-ministry', killed: { best: 1, likely: 2 } }];
    expect(validate('ClaimMade.v1', { ...claim, assertions: { ...claim.assertions, casualties } })).toEqual([
      '/assertions/casualties/0/killed additionalProperties',
    ]);
    const party: PartyRegisteredData = domainFixtures.karabakhArmyParty;
    expect(validate('PartyRegistered.v1', { ...party, affiliation: { description: 'Armenian-backed', since: 1994 } })).toEqual([
      '/affiliation additionalProperties',
    ]);
  });

  it('tells the kinds of amended entry apart', () => {
    const amendment: EntryAmendedData = {
      incidentId: domainFixtures.INCIDENT_ID,
      amendmentId: 'amendment-1',
      entry: { kind: 'claim', claimId: 'claim-az-defence', version: 1 },
      changes: { statedAt: { at: '2019-05-30', precision: 'day' } },
      reason: 'Typing error.',
    };
    expect(validate('EntryAmended.v1', amendment)).toEqual([]);
    expect(validate('EntryAmended.v1', { ...amendment, entry: { kind: 'claim', claimId: 'claim-az-defence' } })).toContain('/entry anyOf');
    expect(validate('EntryAmended.v1', { ...amendment, entry: { kind: 'party', partyId: 'x' } })).toContain('/entry anyOf');
  });
});
