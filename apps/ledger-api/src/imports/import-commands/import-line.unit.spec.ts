import { ProblemException } from '../../platform/problem/problem.exception';
import { RequestValidationException } from '../../platform/problem/validation.pipe';
import { parseImportLine } from './import-line';

const INCIDENT = '0b9d6f3e-8f7b-4b8e-9d55-4b6b1c7a9e21';
const line = (value: unknown): string => JSON.stringify(value);
const fieldsOf = (text: string): string[] => {
  try {
    parseImportLine(text, 1);
  } catch (error) {
    if (error instanceof RequestValidationException) return error.errors.map((e) => e.field);
    throw error;
  }
  throw new Error('expected the line to be refused');
};
const problemOf = (text: string): { status: number; code: string } => {
  try {
    parseImportLine(text, 1);
  } catch (error) {
    if (error instanceof ProblemException) return { status: error.getStatus(), code: error.code };
    throw error;
  }
  throw new Error('expected the line to be refused');
};

describe('parseImportLine', () => {
  it('reads the agreed members and keeps the body as sent', () => {
    const body = { partyId: 'azerbaijan', statement: { text: 'x' } };
    expect(parseImportLine(line({ key: 'c-1', action: 'makeClaim', incident: 'inc-1', answers: ['c-0'], body }), 7)).toEqual({
      line: 7,
      key: 'c-1',
      action: 'makeClaim',
      incident: 'inc-1',
      answers: ['c-0'],
      body,
    });
    expect(parseImportLine(line({ key: 'd', action: 'denyClaim', incidentId: INCIDENT, claimId: INCIDENT, body: {} }), 1)).toMatchObject({
      incidentId: INCIDENT,
      claimId: INCIDENT,
    });
  });

  it.each([
    ['not JSON', '{"key": "a",', 400, 'invalid-json'],
    ['a __proto__ member', '{"key":"a","action":"registerParty","body":{"__proto__":{"admin":true}}}', 400, 'invalid-json'],
    ['an escaped __proto__ member', '{"key":"a","action":"registerParty","body":{"\\u005f_proto__":{}}}', 400, 'invalid-json'],
    ['a constructor.prototype member', '{"key":"a","action":"registerParty","body":{"constructor":{"prototype":{}}}}', 400, 'invalid-json'],
    ['nesting deeper than an HTTP body may', `{"key":"a","action":"registerParty","body":${'['.repeat(300)}${']'.repeat(300)}}`, 400, 'body-too-deep'],
  ])('refuses %s with the problem the HTTP API gives', (_what, text, status, code) => {
    expect(problemOf(text)).toEqual({ status, code });
  });

  it('accepts a body exactly as deep as an HTTP body may be', () => {
    const body = `${'{"a":'.repeat(255)}1${'}'.repeat(255)}`;
    expect(() => parseImportLine(`{"key":"a","action":"registerParty","body":${body}}`, 1)).not.toThrow();
  });

  it.each([
    ['an array', '[1,2]', ['']],
    ['a number', '42', ['']],
    ['no members', '{}', ['key', 'action', 'body']],
    ['a key with a space', line({ key: 'a b', action: 'registerParty', body: {} }), ['key']],
    ['a key too long', line({ key: 'k'.repeat(256), action: 'registerParty', body: {} }), ['key']],
    ['an unknown action', line({ key: 'a', action: 'deleteIncident', body: {} }), ['action']],
    ['a body that is an array', line({ key: 'a', action: 'registerParty', body: [] }), ['body']],
    ['an unknown member', line({ key: 'a', action: 'registerParty', body: {}, extra: 1 }), ['extra']],
    ['a reference an action does not take', line({ key: 'a', action: 'reportIncident', incident: 'b', body: {} }), ['incident']],
    ['a claim without its incident', line({ key: 'a', action: 'makeClaim', body: {} }), ['incident']],
    ['an incident given twice', line({ key: 'a', action: 'makeClaim', incident: 'i', incidentId: INCIDENT, body: {} }), ['incident']],
    ['a denial without its claim', line({ key: 'a', action: 'denyClaim', incident: 'i', body: {} }), ['claim']],
    ['an incidentId that is not a UUID', line({ key: 'a', action: 'makeClaim', incidentId: 'nope', body: {} }), ['incidentId']],
    ['answers that are not keys', line({ key: 'a', action: 'makeClaim', incident: 'i', answers: [1], body: {} }), ['answers']],
    ['an amendment naming a claim and a denial', line({ key: 'a', action: 'amendEntry', incident: 'i', claim: 'c', denial: 'd', body: {} }), ['denial']],
  ])('refuses %s, naming the members at fault', (_what, text, fields) => {
    expect(fieldsOf(text)).toEqual(fields);
  });
});
