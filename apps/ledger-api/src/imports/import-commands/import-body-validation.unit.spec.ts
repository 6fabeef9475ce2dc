import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GradeSourceDto } from '../../claims/grade-source/grade-source.dto';
import { RetractClaimDto } from '../../claims/retract-claim/retract-claim.dto';
import { toPlain } from '../../platform/http/dto/plain';
import { toProblem } from '../../platform/problem/problem-details';
import { createValidationPipe, validateJsonBody } from '../../platform/problem/validation.pipe';
import { SCENARIO_WRITE_DTOS } from '../../../../../tests/support/write-dtos';

/**
 * Import lines are validated by validateJsonBody, the HTTP routes by the
 * ValidationPipe: for every import DTO, the demo's body and a few hundred
 * broken variants of it (each member removed, retyped, one unknown member
 * added at each level, prototype keys) must come out the same from both:
 * the same plain DTO, or the same problem naming the same fields.
 */
const DTOS = SCENARIO_WRITE_DTOS;
const ENTITY_ID = '0b5c1d62-3f0e-4a4e-9a3c-2f1d7b6e8a90';
const SCENARIO = join(__dirname, '../../demo/karabakh-line-of-contact-2019.scenario.json');
const firstBodies = (): Array<[string, Record<string, unknown>]> => {
  const steps = (JSON.parse(readFileSync(SCENARIO, 'utf8')) as { steps: Array<{ action: string; body: Record<string, unknown> }> }).steps;
  // The scenario names entities by "@reference"; a body names them by id.
  const bodyOf = (action: string) => JSON.parse(JSON.stringify(steps.find((s) => s.action === action)!.body).replace(/"@[^"]*"/g, `"${ENTITY_ID}"`)) as Record<string, unknown>;
  const bodies = Object.keys(DTOS).map((action): [string, Record<string, unknown>] => [action, bodyOf(action)]);
  const { partyId, statedAt, source } = bodyOf('makeClaim');
  return [...bodies, ['retractClaim', { partyId, statedAt, source, reason: 'Withdrawn by the ministry.' }], ['gradeSource', { reliability: 'B', credibility: 2, claimVersion: 1, reason: 'Regraded.' }]];
};
const DTO_OF: Record<string, new () => object> = { ...DTOS, retractClaim: RetractClaimDto, gradeSource: GradeSourceDto };

const REPLACEMENTS: unknown[] = [undefined, null, 0, -1, 1.5, '', 'x', 'x'.repeat(20_001), true, [], [null], {}, { unknown: 1 }, '2019-13-45', 'not-a-uuid'];

/** The body with the value at `path` replaced (undefined: removed). */
const withValue = (body: unknown, path: Array<string | number>, value: unknown): unknown => {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  if (Array.isArray(body)) return body.map((item, i) => (i === head ? withValue(item, rest, value) : item)).filter((_, i) => !(i === head && rest.length === 0 && value === undefined));
  const copy = { ...(body as Record<string, unknown>) };
  if (rest.length === 0 && value === undefined) delete copy[head as string];
  else copy[head as string] = withValue(copy[head as string], rest, value);
  return copy;
};

const paths = (value: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> => {
  if (value === null || typeof value !== 'object') return [];
  const entries: Array<[string | number, unknown]> = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  return entries.flatMap(([key, child]) => [[...prefix, key], ...paths(child, [...prefix, key])]);
};
const valueAt = (body: unknown, path: Array<string | number>): unknown => path.reduce<unknown>((v, k) => (v as Record<string, unknown>)[k as string], body);
/** The body itself and every object (not array) inside it. */
const objectPaths = (body: unknown): Array<Array<string | number>> => [
  [],
  ...paths(body).filter((p) => {
    const v = valueAt(body, p);
    return v !== null && typeof v === 'object' && !Array.isArray(v);
  }),
];

const variants = (body: Record<string, unknown>): unknown[] => {
  const out: unknown[] = [body];
  for (const path of paths(body)) for (const value of REPLACEMENTS) out.push(withValue(body, path, value));
  for (const path of objectPaths(body)) {
    const at = valueAt(body, path) as Record<string, unknown>;
    out.push(withValue(body, path, { ...at, notAMember: 1 }));
    out.push(withValue(body, path, JSON.parse(`{"constructor":"x","prototype":1,${JSON.stringify(at).slice(1)}`)));
  }
  return out;
};

const outcome = (run: () => unknown): unknown => {
  try {
    return { dto: toPlain(run()) };
  } catch (error) {
    const { status, body } = toProblem(error);
    return { status, code: body.code, errors: body.errors, detail: body.detail };
  }
};

describe('validateJsonBody: the same outcome as the routes’ ValidationPipe', () => {
  const pipe = createValidationPipe();

  it.each(firstBodies())('%s: the demo body and its broken variants', async (action, body) => {
    const dto = DTO_OF[action];
    const cases = variants(body);
    expect(cases.length).toBeGreaterThan(paths(body).length * REPLACEMENTS.length);
    expect(outcome(() => validateJsonBody(dto, structuredClone(body)))).toHaveProperty('dto');
    let refused = 0;
    for (const variant of cases) {
      // Each side gets its own copy: both strip prototype keys in place.
      const viaPipe = await pipe.transform(structuredClone(variant), { type: 'body', metatype: dto }).then(
        (value: unknown) => outcome(() => value),
        (error: unknown) =>
          outcome(() => {
            throw error;
          }),
      );
      const direct = outcome(() => validateJsonBody(dto, structuredClone(variant) as Record<string, unknown>));
      expect({ variant, outcome: direct }).toEqual({ variant, outcome: viaPipe });
      if ('status' in (direct as object)) refused += 1;
    }
    expect(refused).toBeGreaterThan(cases.length / 2);
  });
});
