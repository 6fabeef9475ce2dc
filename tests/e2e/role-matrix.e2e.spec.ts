import type { InjectOptions, Response } from 'light-my-request';
import { hashToken } from '../../apps/ledger-api/src/platform';
import { DEMO, DemoRefs, LedgerSession } from '../support/ledger-session';
import { LedgerTestApp, startLedger, TestRole } from '../support/ledger-test-app';
import { expectProblem } from '../support/problem-assertions';

jest.setTimeout(60_000);

/**
 * The role matrix of issue 11: every operation of the published OpenAPI document × every kind of caller, the
 * expected answer derived from the document alone. A route the document neither marks public (`security: []`) nor
 * gives a 403 naming its roles has no rule, and fails the matrix: so does a route whose behaviour differs from its
 * documented rule.
 */

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'] as const;
const ROLE_NAMES: readonly TestRole[] = ['reader', 'recorder', 'auditor', 'integrator', 'admin'];

/** The role model the document states in each note ("admin implies every role; recorder and auditor imply reader"). */
const IMPLIED: Record<TestRole, readonly TestRole[]> = {
  reader: [],
  recorder: ['reader'],
  auditor: ['reader'],
  integrator: [],
  admin: ROLE_NAMES,
};

interface DocOperation {
  security?: unknown[];
  description?: string;
  parameters?: Array<{ in: string; name: string }>;
  requestBody?: unknown;
  responses?: Record<string, { description?: string }>;
}
type Rule = { public: true } | { public: false; roles: TestRole[]; scoped: boolean };
interface Operation {
  method: string;
  path: string;
  pathParams: string[];
  hasBody: boolean;
  rule: Rule;
}

const LACKS_ROLE = /^The token lacks the role ([a-z]+(?: or [a-z]+)*)\./;

/** The rule the document gives an operation; throws when it gives none, which is what a new, unmarked route gets. */
function ruleOf(method: string, path: string, operation: DocOperation): Rule {
  if (Array.isArray(operation.security) && operation.security.length === 0) return { public: true };
  const forbidden = operation.responses?.['403']?.description ?? '';
  const named = LACKS_ROLE.exec(forbidden);
  const roles = (named?.[1].split(' or ') ?? []) as TestRole[];
  const unknown = roles.filter((r) => !ROLE_NAMES.includes(r));
  if (!named || unknown.length > 0) {
    throw new Error(`${method.toUpperCase()} ${path} has no access rule in the OpenAPI document: neither security: [] nor a 403 "The token lacks the role ..." (403: ${JSON.stringify(forbidden)})`);
  }
  return { public: false, roles, scoped: /token scope/.test(forbidden) };
}

/** Every operation of the document with its rule, and the reason for each operation that has none. */
function operationsOf(document: { paths: Record<string, Record<string, DocOperation>> }): { operations: Operation[]; withoutRule: string[] } {
  const operations: Operation[] = [];
  const withoutRule: string[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!operation) continue;
      try {
        operations.push({
          method: method.toUpperCase(),
          path,
          pathParams: (operation.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name),
          hasBody: operation.requestBody !== undefined,
          rule: ruleOf(method, path, operation),
        });
      } catch (error) {
        withoutRule.push((error as Error).message);
      }
    }
  }
  return { operations, withoutRule };
}

interface Caller {
  name: string;
  /** The Authorization header, or none. */
  authorization?: () => string;
  roles: readonly TestRole[];
  valid: boolean;
}

/** A party-scoped integrator: the feeds show it only what concerns the KDA, and refuse it a filter on anyone else. */
const SCOPED_INTEGRATOR = 'role-matrix-scoped-integrator-token';
const SCOPED_PARTY = DEMO.kda;
const OUTSIDE_SCOPE_PARTY = DEMO.armenia;

/** Operations that change state others read run last, the rebuild (which replays every read model) very last. */
const STATEFUL = ['POST /integrity/checkpoints', 'POST /admin/read-models/rebuild'];
const order = (op: Operation) => STATEFUL.indexOf(`${op.method} ${op.path}`);

describe('role matrix (e2e)', () => {
  let t: LedgerTestApp;
  let s: LedgerSession;
  let refs: DemoRefs;
  let operations: Operation[];
  let withoutRule: string[];
  let pathValues: Record<string, string>;

  const callers = (): Caller[] => [
    { name: 'no token', roles: [], valid: false },
    { name: 'an unknown token', authorization: () => 'Bearer not-a-ledger-token', roles: [], valid: false },
    ...ROLE_NAMES.map((role) => ({ name: role, authorization: () => `Bearer ${t.tokens[role]}`, roles: [role], valid: true })),
    { name: 'a scoped integrator', authorization: () => `Bearer ${SCOPED_INTEGRATOR}`, roles: ['integrator'] as TestRole[], valid: true },
  ];

  const allowed = (caller: Caller, roles: readonly TestRole[]) =>
    caller.roles.some((held) => roles.includes(held) || IMPLIED[held].some((implied) => roles.includes(implied)));

  const urlOf = (op: Operation): string =>
    op.path.replace(/\{([^}]+)\}/g, (_whole, name: string) => {
      const value = pathValues[name];
      if (value === undefined) throw new Error(`${op.method} ${op.path}: no demo value for the path parameter ${name}; add one to pathValues`);
      return encodeURIComponent(value);
    });

  const call = (op: Operation, caller: Caller, query = ''): Promise<Response> => {
    const request: InjectOptions = {
      method: op.method as InjectOptions['method'],
      url: urlOf(op) + query,
      headers: caller.authorization ? { authorization: caller.authorization() } : {},
    };
    // Roles are checked before the body is validated: an empty object is enough to reach (and pass) the check.
    if (op.hasBody) request.payload = {};
    return s.send(request);
  };

  beforeAll(async () => {
    t = await startLedger({
      extraTokens: [{ principal: 'role-matrix-scoped', roles: ['integrator'], sha256: hashToken(SCOPED_INTEGRATOR), scope: { parties: [SCOPED_PARTY] } }],
    });
    s = new LedgerSession(t);
    refs = await s.playDemo();
    const schemaIndex = (await s.send({ method: 'GET', url: '/schemas/events' })).json() as { events: Record<string, unknown> };
    pathValues = { incidentId: refs.incident, claimId: refs['kda-claim'], partyId: DEMO.kda, name: `${Object.keys(schemaIndex.events)[0]}.json`, dataset: 'acled' };
    const document = (await s.send({ method: 'GET', url: '/openapi.json' })).json();
    ({ operations, withoutRule } = operationsOf(document));
    operations.sort((a, b) => order(a) - order(b));
  }, 60_000);

  afterAll(() => t?.close());

  describe('the matrix itself', () => {
    it('covers every operation of the document, public and protected: none is without a rule', () => {
      expect(withoutRule).toEqual([]);
      expect(operations.length).toBeGreaterThan(30);
      expect(operations.some((op) => op.rule.public)).toBe(true);
      expect(operations.filter((op) => !op.rule.public).length).toBeGreaterThan(20);
    });

    it('fails on an operation that is neither public nor names its roles, as a new route without a rule would be', () => {
      const doctored = {
        paths: {
          '/parties': { get: { responses: { '401': {}, '403': { description: 'The token lacks the role reader.' } } } },
          '/new-route': { post: { responses: { '201': {}, '401': { description: 'Missing or invalid bearer token.' } } } },
        },
      };
      const { operations: ruled, withoutRule: unruled } = operationsOf(doctored);
      expect(ruled.map((op) => `${op.method} ${op.path}`)).toEqual(['GET /parties']);
      expect(unruled).toEqual([expect.stringMatching(/^POST \/new-route has no access rule/)]);
      const unknownRole = { paths: { '/x': { get: { responses: { '403': { description: 'The token lacks the role superuser.' } } } } } };
      expect(operationsOf(unknownRole).withoutRule).toEqual([expect.stringMatching(/^GET \/x has no access rule/)]);
      // Security left to the document's default is not public: only an explicit empty list is.
      expect(operationsOf({ paths: { '/y': { get: { responses: {} } } } }).withoutRule).toEqual([expect.stringMatching(/^GET \/y has no access rule/)]);
    });

    it('states the role model it relies on in the document', async () => {
      const document = (await s.send({ method: 'GET', url: '/openapi.json' })).json();
      expect(document.paths['/parties'].get.description).toContain('admin implies every role; recorder and auditor imply reader');
    });
  });

  it('every operation × every caller answers as the document says', async () => {
    const failures: string[] = [];
    let cells = 0;
    let skipped = 0;
    for (const op of operations) {
      for (const caller of callers()) {
        const mayPass = op.rule.public || (caller.valid && allowed(caller, op.rule.roles));
        // GET /feed/stream holds a server-sent event stream open for whoever may read it; inject would wait for its
        // end. Refusals come before the stream starts, so only the callers it would admit are left out here.
        if (op.method === 'GET' && op.path === '/feed/stream' && mayPass) {
          skipped++;
          continue;
        }
        cells++;
        const res = await call(op, caller);
        const where = `${op.method} ${op.path} as ${caller.name}: ${res.statusCode} ${res.body.slice(0, 300)}`;
        try {
          if (res.statusCode >= 500) throw new Error('a 5xx');
          if (op.rule.public || mayPass) {
            if (res.statusCode === 401 || res.statusCode === 403) throw new Error('refused although the document allows it');
          } else if (!caller.valid) {
            expectProblem(res, 401, caller.authorization ? 'invalid-token' : 'unauthorized');
          } else {
            expect(expectProblem(res, 403, 'forbidden').requiredRoles).toEqual(op.rule.roles);
          }
        } catch (error) {
          failures.push(`${where}\n    ${(error as Error).message.split('\n').slice(0, 4).join('\n    ')}`);
        }
      }
    }
    expect(failures).toEqual([]);
    // 8 callers on each operation, less those the stream admits: reader, recorder, auditor (the dashboard's live
    // updates), integrator, admin and scoped integrator.
    expect({ cells, skipped }).toEqual({ cells: operations.length * callers().length - 6, skipped: 6 });
  });

  // Regression: the role check used to follow the body parsers, so a reader got POST /imports' 415 (after its body
  // was read) and an unparseable JSON body's 400 instead of the 403 the document promises.
  it('a role refused is refused before its body is read: 403, not the body parser\'s 400 or 415', async () => {
    for (const [url, payload, contentType] of [
      ['/imports', '{}', 'application/json'],
      ['/imports', '{"not":"a command"}\n', 'application/x-ndjson'],
      ['/imports/datasets/acled', 'event_id_cnty\nAZE1\n', 'text/csv'],
      ['/parties', '{', 'application/json'],
    ]) {
      const res = await s.send({ method: 'POST', url, payload, headers: { ...s.bearer('reader'), 'content-type': contentType } });
      expect(expectProblem(res, 403, 'forbidden').requiredRoles).toEqual(['recorder']);
    }
  });

  it('a scoped integrator filtering outside its scope gets 403 naming the field, wherever the document says so', async () => {
    const scoped = callers().find((c) => c.name === 'a scoped integrator')!;
    const scopedOps = operations.filter((op) => !op.rule.public && op.rule.scoped);
    expect(scopedOps.map((op) => `${op.method} ${op.path}`).sort()).toEqual(['GET /feed/events', 'GET /feed/stream']);
    for (const op of scopedOps) {
      const problem = expectProblem(await call(op, scoped, `?party=${OUTSIDE_SCOPE_PARTY}`), 403, 'outside-token-scope');
      expect({ op: op.path, field: problem.field }).toEqual({ op: op.path, field: 'party' });
    }
    const feed = operations.find((op) => op.path === '/feed/events')!;
    const inside = await call(feed, scoped, `?party=${SCOPED_PARTY}&limit=5`);
    expect(inside.statusCode).toBe(200);
    expect((inside.json() as { items: unknown[] }).items.length).toBeGreaterThan(0);
  });
});
