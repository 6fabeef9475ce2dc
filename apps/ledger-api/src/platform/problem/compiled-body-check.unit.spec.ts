import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { AmendEntryDto } from '../../amendments/amend-entry/amend-entry.dto';
import { MakeClaimDto } from '../../claims/make-claim/make-claim.dto';
import { AssertionsDto } from '../../claims/shared/assertions.dto';
import { RetractClaimDto } from '../../claims/retract-claim/retract-claim.dto';
import { bodyCheckOf, bodyInstantiationOf } from './compiled-body-check';
import { createValidationPipe } from './validation.pipe';
import { SCENARIO_WRITE_DTOS } from '../../../../../tests/support/write-dtos';

const SCENARIO = join(__dirname, '../../demo/karabakh-line-of-contact-2019.scenario.json');
// The scenario names earlier entries by "@name"; the loader puts their ids there.
const steps = (
  JSON.parse(readFileSync(SCENARIO, 'utf8'), (_key, value: unknown) =>
    typeof value === 'string' && value.startsWith('@') ? '8d3f6a52-0c1e-4c55-9d0a-6f2b7e9c1a10' : value,
  ) as { steps: Array<{ action: string; body: Record<string, unknown> }> }
).steps;

// amendEntry has no compiled check (see below).
const { amendEntry: _uncompiled, ...DTOS } = SCENARIO_WRITE_DTOS;

/** What the route pipe's full path (class-transformer, then class-validator with the pipe's options) says of a body. */
const classValidatorAccepts = (metatype: new () => object, body: unknown): boolean =>
  validateSync(plainToInstance(metatype, clone(body)), { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true }).length === 0;

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** A JSON value that may stand in for any member: of every type, including near-misses of the rules (empty, null, negative, long). */
const anyJson = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, 1e21, '', ' ', 'x'.repeat(501), '2019-02-30', '2019-05-30', 'not-a-party', 'azerbaijan-defence-ministry', 'day', 'region', 'killed'),
  fc.string(),
  fc.integer(),
  fc.constant({}),
  fc.constant([]),
  fc.array(fc.string(), { maxLength: 3 }),
);

interface Mutation {
  path: number[];
  kind: 'delete' | 'replace' | 'add';
  value: unknown;
}

/** Applies a mutation at a pseudo-random place of the body, chosen by `path` (indices modulo the members found there). */
const mutate = (body: unknown, { path, kind, value }: Mutation): unknown => {
  const root = clone(body) as Record<string, unknown>;
  let node: Record<string, unknown> | unknown[] = root;
  for (const [depth, step] of path.entries()) {
    const keys = Object.keys(node);
    if (keys.length === 0) break;
    const key = keys[step % keys.length];
    const child = (node as Record<string, unknown>)[key];
    const last = depth === path.length - 1 || child === null || typeof child !== 'object';
    if (last) {
      if (kind === 'delete') delete (node as Record<string, unknown>)[key];
      else if (kind === 'replace') (node as Record<string, unknown>)[key] = value;
      else if (!Array.isArray(node)) (node as Record<string, unknown>)[`extra${step}`] = value;
      return root;
    }
    node = child as Record<string, unknown>;
  }
  return root;
};

const mutation = fc.record({
  path: fc.array(fc.nat(20), { minLength: 1, maxLength: 6 }),
  kind: fc.constantFrom<Mutation['kind']>('delete', 'replace', 'add'),
  value: anyJson,
});

describe('compiled body checks: class-validator rules run once compiled, never a different verdict', () => {
  it('accepts every write body of the demo scenario, as class-validator does', () => {
    const checked = steps.filter((step) => DTOS[step.action]);
    expect(checked.length).toBeGreaterThan(10);
    for (const { action, body } of checked) {
      const check = bodyCheckOf(DTOS[action])!;
      expect(check).toBeDefined();
      expect([action, check(clone(body))]).toEqual([action, true]);
      expect(classValidatorAccepts(DTOS[action], body)).toBe(true);
    }
  });

  // Stricter is allowed (such a body takes the full path, which decides), never looser. It is stricter only where
  // class-validator's nesting is lax: it takes an array for a nested object and arrays inside such arrays, e.g.
  // casualties: [[]].
  it('never accepts a mutated body class-validator refuses (members dropped, replaced, added, at any depth)', () => {
    let agreed = 0;
    let runs = 0;
    for (const { action, body } of steps.filter((step) => DTOS[step.action])) {
      const check = bodyCheckOf(DTOS[action])!;
      fc.assert(
        fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (mutations) => {
          const mutated = mutations.reduce<unknown>(mutate, body);
          const accepted = check(clone(mutated) as Record<string, unknown>);
          const full = classValidatorAccepts(DTOS[action], mutated);
          if (accepted) expect([action, JSON.stringify(mutated), full]).toEqual([action, JSON.stringify(mutated), true]);
          runs++;
          if (accepted === full) agreed++;
        }),
        { numRuns: 300 },
      );
    }
    expect(agreed / runs).toBeGreaterThan(0.95);
  });

  it('has no check for a DTO with rules it cannot mirror (a condition other than Optional), which then always takes the full path', () => {
    expect(bodyCheckOf(AmendEntryDto)).toBeUndefined();
    expect(bodyCheckOf(RetractClaimDto)).toBeDefined();
    expect(bodyCheckOf(String)).toBeUndefined();
  });

  it('the route pipe answers a valid body with the same DTO as the full path, and an invalid one with the same 400', async () => {
    const pipe = createValidationPipe();
    const { body } = steps.find((step) => step.action === 'makeClaim')!;
    const fast = await pipe.transform(clone(body), { type: 'body', metatype: MakeClaimDto });
    expect(fast).toBeInstanceOf(MakeClaimDto);
    expect(JSON.stringify(fast)).toBe(JSON.stringify(plainToInstance(MakeClaimDto, clone(body))));

    const invalid = { ...clone(body), partyId: 'Not A Party', extra: 1 };
    const error = (await pipe.transform(invalid, { type: 'body', metatype: MakeClaimDto }).catch((e: unknown) => e)) as { errors: unknown };
    expect(error.errors).toEqual([
      { field: 'extra', messages: ['property extra should not exist'] },
      { field: 'partyId', messages: [expect.stringContaining('partyId must match')] },
    ]);
  });

  // toStrictEqual compares classes at every level and tells a missing member from an undefined one.
  it('instantiates every body its check accepts exactly as plainToInstance does (the scenario, and mutated bodies)', () => {
    let compared = 0;
    for (const { action, body } of steps.filter((step) => DTOS[step.action])) {
      const check = bodyCheckOf(DTOS[action])!;
      const make = bodyInstantiationOf(DTOS[action]);
      expect([action, make]).toEqual([action, expect.any(Function)]);
      const same = (candidate: unknown) => {
        if (!check(clone(candidate) as Record<string, unknown>)) return;
        expect(make!(clone(candidate) as Record<string, unknown>)).toStrictEqual(plainToInstance(DTOS[action], clone(candidate)));
        compared++;
      };
      same(body);
      fc.assert(
        fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (mutations) => same(mutations.reduce<unknown>(mutate, body))),
        { numRuns: 100 },
      );
    }
    expect(compared).toBeGreaterThan(50);
  });

  it('makes a new object graph, nested DTOs as their classes, and leaves a class without a compiled check to plainToInstance', () => {
    const { body } = steps.find((step) => step.action === 'makeClaim')!;
    const make = bodyInstantiationOf(MakeClaimDto)!;
    const source = clone(body) as Record<string, unknown>;
    const made = make(source) as unknown as Record<string, unknown>;
    expect(made.assertions).not.toBe(source.assertions);
    expect(made.assertions).toBeInstanceOf(AssertionsDto);
    expect(made).toStrictEqual(plainToInstance(MakeClaimDto, clone(body)));
    expect(bodyInstantiationOf(AmendEntryDto as new () => object)).toBeUndefined();
  });
});
