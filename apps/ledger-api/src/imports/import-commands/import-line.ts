import { isUUID } from 'class-validator';
import { ProblemException } from '../../platform/problem/problem.exception';
import { FieldError, jsonDepth, MAX_BODY_DEPTH, RequestValidationException } from '../../platform/problem/validation.pipe';
import { ScenarioAction } from '../../demo/scenario';

export const IMPORT_ACTIONS = [
  'registerParty',
  'reportIncident',
  'makeClaim',
  'denyClaim',
  'correctClaim',
  'retractClaim',
  'gradeSource',
  'amendEntry',
] as const satisfies readonly ScenarioAction[];
export type ImportAction = (typeof IMPORT_ACTIONS)[number];

/**
 * One NDJSON line of an import: the body of the matching HTTP route, the
 * line's own idempotency key, and references that stand in for the route's
 * path parameters, either by the key of the line that created the entity or
 * by its id.
 */
export interface ImportLine {
  line: number;
  key: string;
  action: ImportAction;
  incident?: string;
  incidentId?: string;
  claim?: string;
  claimId?: string;
  /** amendEntry of a denial: the key of the denyClaim line. */
  denial?: string;
  /** makeClaim: keys of makeClaim lines of the same incident that this claim answers (added to body.answers). */
  answers?: string[];
  body: Record<string, unknown>;
}

/** Same rule as the Idempotency-Key header, so a key can travel between the two. */
const KEY = /^[\x21-\x7e]{1,255}$/;
const MAX_ANSWERS = 50;

type Member = 'incident' | 'incidentId' | 'claim' | 'claimId' | 'denial' | 'answers';

/** Which reference members each action takes, and which it needs (one of each group). */
const REFERENCES: Record<ImportAction, { allowed: readonly Member[]; required: ReadonlyArray<readonly [Member, Member]> }> = {
  registerParty: { allowed: [], required: [] },
  reportIncident: { allowed: [], required: [] },
  makeClaim: { allowed: ['incident', 'incidentId', 'answers'], required: [['incident', 'incidentId']] },
  denyClaim: { allowed: ['incident', 'incidentId', 'claim', 'claimId'], required: [['incident', 'incidentId'], ['claim', 'claimId']] },
  correctClaim: { allowed: ['incident', 'incidentId', 'claim', 'claimId'], required: [['incident', 'incidentId'], ['claim', 'claimId']] },
  retractClaim: { allowed: ['incident', 'incidentId', 'claim', 'claimId'], required: [['incident', 'incidentId'], ['claim', 'claimId']] },
  gradeSource: { allowed: ['incident', 'incidentId', 'claim', 'claimId'], required: [['incident', 'incidentId'], ['claim', 'claimId']] },
  amendEntry: { allowed: ['incident', 'incidentId', 'claim', 'claimId', 'denial'], required: [['incident', 'incidentId']] },
};
const MEMBERS = new Set(['key', 'action', 'body', 'incident', 'incidentId', 'claim', 'claimId', 'denial', 'answers']);

/** Only text that could spell such a key (possibly escaped) is walked for it. */
const MAY_POISON = /__proto__|constructor|\\u/;

/**
 * True when a parsed value carries a key that would reach an object's
 * prototype once class-transformer copies it: JSON.parse makes such keys
 * plain own properties, Fastify's parser refuses them for HTTP bodies, and
 * so do we for lines.
 */
const poisoned = (value: unknown): boolean => {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object') continue;
    const own = (name: string) => Object.prototype.hasOwnProperty.call(node, name);
    if (own('__proto__')) return true;
    const ctor = own('constructor') ? (node as Record<string, unknown>).constructor : undefined;
    if (ctor !== null && typeof ctor === 'object' && 'prototype' in ctor) return true;
    for (const child of Object.values(node as object)) stack.push(child);
  }
  return false;
};

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Parses and checks one line's envelope; the body is checked later by the
 * route's own DTO. Throws the problem the HTTP API would answer for the
 * same mistake (400 invalid-json, body-too-deep, validation-failed naming
 * each member at fault).
 */
export const parseImportLine = (text: string, line: number): ImportLine => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ProblemException(400, 'invalid-json', `The line is not valid JSON (${error instanceof Error ? error.message : String(error)}).`, {}, {
      title: 'Malformed JSON',
    });
  }
  // The body may nest as deep as an HTTP body; the line adds one level around it.
  if (jsonDepth(parsed, MAX_BODY_DEPTH + 1) > MAX_BODY_DEPTH + 1) {
    throw new ProblemException(400, 'body-too-deep', `The line nests deeper than ${MAX_BODY_DEPTH} levels.`);
  }
  if (MAY_POISON.test(text) && poisoned(parsed)) {
    throw new ProblemException(400, 'invalid-json', 'The line carries a "__proto__" or "constructor.prototype" member, which the ledger refuses.', {}, {
      title: 'Malformed JSON',
    });
  }
  if (!isPlainObject(parsed)) {
    throw new RequestValidationException([{ field: '', messages: ['each line must be a JSON object'] }]);
  }

  const errors: FieldError[] = [];
  const fail = (field: string, message: string) => errors.push({ field, messages: [message] });
  for (const member of Object.keys(parsed)) if (!MEMBERS.has(member)) fail(member, `property ${member} should not exist`);

  const { key, action, body } = parsed;
  if (typeof key !== 'string' || !KEY.test(key)) fail('key', 'key must be 1 to 255 visible ASCII characters');
  const known = typeof action === 'string' && (IMPORT_ACTIONS as readonly string[]).includes(action);
  if (!known) fail('action', `action must be one of the following values: ${IMPORT_ACTIONS.join(', ')}`);
  if (!isPlainObject(body)) fail('body', 'body must be an object');

  if (known) {
    const rules = REFERENCES[action as ImportAction];
    for (const member of ['incident', 'incidentId', 'claim', 'claimId', 'denial', 'answers'] as const) {
      const value = parsed[member];
      if (value === undefined) continue;
      if (!rules.allowed.includes(member)) {
        fail(member, `${member} is not taken by ${String(action)}`);
      } else if (member === 'answers') {
        if (!Array.isArray(value) || value.length > MAX_ANSWERS || !value.every((k) => typeof k === 'string' && KEY.test(k))) {
          fail(member, `answers must be an array of at most ${MAX_ANSWERS} line keys`);
        }
      } else if (member === 'incidentId' || member === 'claimId') {
        if (typeof value !== 'string' || !isUUID(value)) fail(member, `${member} must be a UUID`);
      } else if (typeof value !== 'string' || !KEY.test(value)) {
        fail(member, `${member} must be the key of an earlier line (1 to 255 visible ASCII characters)`);
      }
    }
    for (const [byKey, byId] of rules.required) {
      const given = [byKey, byId].filter((m) => parsed[m] !== undefined);
      if (given.length !== 1) fail(byKey, `${String(action)} needs exactly one of ${byKey} (a line key) or ${byId}`);
    }
    if (parsed.denial !== undefined && (parsed.claim !== undefined || parsed.claimId !== undefined)) {
      fail('denial', 'an amendment names a claim or a denial, not both');
    }
  }
  if (errors.length > 0) throw new RequestValidationException(errors);

  const result: ImportLine = { line, key: key as string, action: action as ImportAction, body: body as Record<string, unknown> };
  for (const member of ['incident', 'incidentId', 'claim', 'claimId', 'denial', 'answers'] as const) {
    if (parsed[member] !== undefined) (result as unknown as Record<string, unknown>)[member] = parsed[member];
  }
  return result;
};
