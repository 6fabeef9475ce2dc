import { setFlagsFromString, writeHeapSnapshot } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { join } from 'node:path';
import fc from 'fast-check';
import type { InjectOptions, Response } from 'light-my-request';
import { jsonPaths, valueAt, withReplaced } from '../support/json-paths';
import { DEMO, DemoRefs, LedgerSession, valid } from '../support/ledger-session';
import { LedgerTestApp, startLedger } from '../support/ledger-test-app';
import { dashboardDirectory, loadDashboardFiles } from '../../apps/ledger-api/src/dashboard/dashboard.module';

/**
 * The judge of issue 11: every route of the published OpenAPI document, driven with generated valid and invalid
 * requests (path, query, headers, body). Whatever is sent: no response >= 500, every error is
 * application/problem+json repeating its status, a request answered >= 400 writes no event, and RSS comes back near
 * where it started. FUZZ_RUNS sets the number of requests (CI: 2,000); FUZZ_SEED replays a run.
 *
 * Failures are collected rather than shrunk, one example per route, status and code, so that one run shows them all.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 2_000);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
/**
 * Memory after a full collection, against the same before the run (README, "Limits"): what stays is compiled code,
 * SQLite's page caches filling up to their bound, and the events the accepted requests wrote. Measured: +14 MB RSS,
 * +5 MB heap over 2,000 requests; +56 MB RSS, +4 MB heap over 20,000. Without the collection RSS is mostly garbage
 * not yet collected, which says nothing.
 */
const RSS_GROWTH_LIMIT_MB = Number(process.env.FUZZ_RSS_GROWTH_MB ?? 96);
const HEAP_GROWTH_LIMIT_MB = Number(process.env.FUZZ_HEAP_GROWTH_MB ?? 32);

jest.setTimeout(Math.max(180_000, RUNS * 60));
/** Diagnosis: heap snapshots before and after the run go here when set. */
const SNAPSHOT_DIR = process.env.FUZZ_HEAP_SNAPSHOT_DIR;

/** A full collection, whatever flags node was started with (jest's sandbox does not see --expose-gc's global). */
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;
const settledMemory = async (): Promise<{ rssMb: number; heapMb: number; externalMb: number }> => {
  await new Promise((resolve) => setTimeout(resolve, 200));
  collectGarbage();
  collectGarbage();
  const { rss, heapUsed, external } = process.memoryUsage();
  return { rssMb: rss / 2 ** 20, heapMb: heapUsed / 2 ** 20, externalMb: external / 2 ** 20 };
};

interface Parameter {
  in: 'path' | 'query' | 'header';
  name: string;
  required?: boolean;
  schema?: { type?: string; enum?: unknown[]; items?: { enum?: unknown[] }; example?: unknown; minimum?: number; maximum?: number };
}
interface Operation {
  method: string;
  path: string;
  parameters: Parameter[];
  bodyTypes: string[];
}

/** Values a client could put anywhere a string goes, hostile ones included. */
const NASTY_STRINGS = [
  '',
  ' ',
  '0',
  '-1',
  '1.5',
  '1e400',
  '-0',
  'NaN',
  'Infinity',
  '9223372036854775807',
  '9223372036854775808',
  '18446744073709551616',
  '99999999999999999999999999999999',
  'null',
  'true',
  '[]',
  '{}',
  '..',
  '../../etc/passwd',
  '%00',
  '\u0000',
  '\u202e',
  '\ud83d\ude00',
  'Ω≈ç√',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '$where',
  '__proto__',
  'constructor',
  'a'.repeat(600),
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
];

/** The value once in `1 + absentWeight` cases, otherwise absent. */
const sometimes = <T>(arbitrary: fc.Arbitrary<T>, absentWeight: number): fc.Arbitrary<T | undefined> =>
  fc.oneof({ weight: absentWeight, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary });

const nastyString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40, unit: 'binary' }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 1, arbitrary: fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String) },
  { weight: 1, arbitrary: fc.double().map(String) },
  { weight: 1, arbitrary: fc.uuid() },
);

/** JSON values of every kind, a few extreme ones among them. */
const nastyJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 2, arbitrary: nastyString },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, -1, 0, 1.5, 2 ** 53 + 1, -(2 ** 63), 1e308, [], {}, [null], { '': '' }) },
);

/** A URL-safe rendering; a lone surrogate cannot be percent-encoded as UTF-8, so it goes out as raw bad bytes. */
const urlPart = (value: string): string => {
  try {
    return encodeURIComponent(value);
  } catch {
    return '%ED%A0%80';
  }
};

/** Header values must be latin-1 without CR/LF, or the client library itself refuses to send them. */
const headerValue = fc.oneof(
  fc.constantFrom(...NASTY_STRINGS.filter((v) => /^[\x20-\x7e]*$/.test(v))),
  fc.string({ maxLength: 60, unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) }),
);

const deepNesting = fc
  .tuple(fc.integer({ min: 100, max: 20_000 }), fc.constantFrom('[', '{"a":'))
  .map(([depth, open]) => `${open.repeat(depth)}${open === '[' ? '' : '1'}${(open === '[' ? ']' : '}').repeat(depth)}`);

const invalidJsonText = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.constantFrom('{', '{"a":}', '{"a":1,}', "{'a':1}", '{"a":NaN}', '\u0000', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{"x":1}}}'),
);

describe('OpenAPI-driven fuzz (e2e)', () => {
  let t: LedgerTestApp;
  let s: LedgerSession;
  let refs: DemoRefs;
  let operations: Operation[];

  beforeAll(async () => {
    // No timed checkpoints: one signed while a refused request is answered would pass for that request's write.
    t = await startLedger({ env: { LEDGER_CHECKPOINT_INTERVAL_MS: '0' } });
    s = new LedgerSession(t);
    refs = await s.playDemo();
    const doc = (await s.send({ method: 'GET', url: '/openapi.json' })).json() as {
      paths: Record<string, Record<string, { parameters?: Parameter[]; requestBody?: { content: Record<string, unknown> } }>>;
    };
    operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({
        method: method.toUpperCase(),
        path,
        parameters: op.parameters ?? [],
        bodyTypes: Object.keys(op.requestBody?.content ?? {}),
      })),
    );
  }, 60_000);

  afterAll(() => t?.close());

  /** Ids the demo made real, so that generated requests also reach handlers and not only validation. */
  const realPathValue = (name: string): fc.Arbitrary<string> => {
    switch (name) {
      case 'incidentId':
        return fc.constantFrom(refs.incident);
      case 'claimId':
        return fc.constantFrom(refs['az-mod-claim'], refs['kda-claim'], refs['osce-claim']);
      case 'partyId':
        return fc.constantFrom(...Object.values(DEMO));
      case 'name':
        return fc.constantFrom('ClaimMade.v1.json', 'PartyRegistered.v1.json', 'ClaimMade.v1');
      default:
        return fc.constant('x');
    }
  };

  /** A value the parameter's schema allows (its example, an enum member, a number in range) or hostile junk. */
  const parameterValue = (p: Parameter): fc.Arbitrary<string | string[]> => {
    const schema = p.schema ?? {};
    const typed: fc.Arbitrary<string>[] = [];
    if (schema.example !== undefined) typed.push(fc.constant(String(Array.isArray(schema.example) ? schema.example[0] : schema.example)));
    const members = schema.enum ?? schema.items?.enum;
    if (members) typed.push(fc.constantFrom(...members.map(String)));
    if (schema.type === 'integer' || schema.type === 'number') {
      typed.push(fc.integer({ min: schema.minimum ?? 0, max: Math.min(schema.maximum ?? 1000, 1_000_000) }).map(String));
    }
    if (p.name === 'incident' || p.name === 'eventId') typed.push(fc.constantFrom(refs.incident));
    if (p.name === 'party') typed.push(fc.constantFrom(DEMO.kda, DEMO.azDefence));
    if (['after', 'from', 'to', 'position', 'Last-Event-ID'].includes(p.name)) typed.push(fc.bigInt({ min: 0n, max: 60n }).map(String));
    if (/AsOf$|^from$|^to$/.test(p.name)) typed.push(fc.constantFrom('2019-06-03', '2019-06-03T09:10:00Z', '2019-13-45', '2019-06-03T25:00:00+99:00'));
    const single = fc.oneof(...(typed.length > 0 ? [{ weight: 3, arbitrary: fc.oneof(...typed) }] : []), { weight: 2, arbitrary: nastyString });
    // A repeated query parameter arrives as an array.
    return p.in === 'query' ? fc.oneof({ weight: 6, arbitrary: single }, { weight: 1, arbitrary: fc.array(single, { minLength: 2, maxLength: 4 }) }) : single;
  };

  /** A body the route would accept (the valid bodies of the bad-input tests), for routes that take one. */
  const validBody = (path: string): Record<string, unknown> | undefined => {
    switch (path) {
      case '/parties':
        return valid.party(`fuzz-${Math.random().toString(36).slice(2, 10)}`);
      case '/incidents':
        return valid.incident();
      case '/incidents/{incidentId}/claims':
        return valid.claim();
      case '/incidents/{incidentId}/claims/{claimId}/denials':
        return valid.denial();
      case '/incidents/{incidentId}/claims/{claimId}/corrections':
        return valid.correction();
      case '/incidents/{incidentId}/claims/{claimId}/retraction':
        return valid.retraction();
      case '/incidents/{incidentId}/claims/{claimId}/grades':
        return valid.grade();
      case '/incidents/{incidentId}/amendments':
        return valid.amendment(refs['kda-claim']);
      default:
        return undefined;
    }
  };

  /** A body and whether it must be refused whatever else the request says (it is never valid). */
  interface FuzzBody {
    payload: string | undefined;
    invalid?: boolean;
  }
  const plain = (arbitrary: fc.Arbitrary<string | undefined>): fc.Arbitrary<FuzzBody> => arbitrary.map((payload) => ({ payload }));

  /**
   * An object or a list of the valid body put inside an array ([{…}], [], [[…]], [[]]): no write DTO takes that, and a
   * validator that checks only the items of what it is given lets it through. Undefined for routes without a body.
   */
  const wrappedBody = (op: Operation): fc.Arbitrary<FuzzBody> | undefined => {
    const base = validBody(op.path);
    const containers = base ? jsonPaths(base).filter((path) => typeof valueAt(base, path) === 'object' && valueAt(base, path) !== null) : [];
    if (!base || containers.length === 0) return undefined;
    return fc.tuple(fc.constantFrom(...containers), fc.boolean()).map(([path, empty]): FuzzBody => {
      const value = valueAt(base, path);
      return { payload: JSON.stringify(withReplaced(base, path, empty ? (Array.isArray(value) ? [[]] : []) : [value])), invalid: true };
    });
  };

  const bodyFor = (op: Operation): fc.Arbitrary<FuzzBody> => {
    const base = validBody(op.path);
    const mutated = base
      ? fc
          .tuple(fc.constantFrom(...jsonPaths(base)), fc.option(nastyJson, { nil: undefined }))
          .map(([path, replacement]) => JSON.stringify(withReplaced(base, path, replacement)))
      : fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v));
    const wrapped = wrappedBody(op);
    const ndjson = fc
      .array(fc.oneof(fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)), invalidJsonText, deepNesting), { maxLength: 5 })
      .map((lines) => lines.join('\n'));
    return fc.oneof(
      { weight: 8, arbitrary: plain(base ? fc.constant(JSON.stringify(base)) : fc.constant(undefined)) },
      { weight: 6, arbitrary: plain(mutated) },
      { weight: wrapped ? 2 : 0, arbitrary: wrapped ?? plain(fc.constant(undefined)) },
      { weight: 2, arbitrary: plain(fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v))) },
      { weight: 1, arbitrary: plain(deepNesting) },
      { weight: 1, arbitrary: plain(invalidJsonText) },
      { weight: 1, arbitrary: plain(fc.constantFrom('1e400', '-0', '123456789012345678901234567890', '"\\ud800"', 'null')) },
      { weight: op.bodyTypes.includes('application/x-ndjson') ? 4 : 0, arbitrary: plain(ndjson) },
      { weight: 1, arbitrary: plain(fc.constant(undefined)) },
    );
  };

  const contentType = (op: Operation): fc.Arbitrary<string | undefined> =>
    fc.oneof(
      { weight: 8, arbitrary: op.bodyTypes.length > 0 ? fc.constantFrom(...op.bodyTypes) : fc.constant('application/json') },
      {
        weight: 2,
        arbitrary: fc.constantFrom(undefined, 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'application/x-ndjson', 'application/merge-patch+json', 'multipart/form-data; boundary=x', 'application/json; charset=latin1'),
      },
    );

  /** A request, and whether it must be refused whatever else it says. */
  type FuzzRequest = InjectOptions & { mustRefuse: boolean };

  /**
   * Requests to `op`; with `wellFormed`, only ones that reach its validation with that body: the documented method,
   * real ids, an admin token, the documented content type (so that an invalid body that got through would show).
   */
  const requestFor = (op: Operation, wellFormed?: fc.Arbitrary<FuzzBody>): fc.Arbitrary<FuzzRequest> => {
    const pathParams = op.parameters.filter((p) => p.in === 'path');
    const queryParams = op.parameters.filter((p) => p.in === 'query');
    const headerParams = op.parameters.filter((p) => p.in === 'header');
    const pinned = <T>(arbitrary: fc.Arbitrary<T>, value: T): fc.Arbitrary<T> => (wellFormed ? fc.constant(value) : arbitrary);
    return fc
      .record({
        method: pinned(fc.oneof({ weight: 9, arbitrary: fc.constant(op.method) }, { weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD') }), op.method),
        path: fc.tuple(
          ...pathParams.map((p) =>
            (wellFormed ? realPathValue(p.name) : fc.oneof({ weight: 4, arbitrary: realPathValue(p.name) }, { weight: 1, arbitrary: fc.uuid() }, { weight: 2, arbitrary: nastyString })).map((v) => [p.name, v] as const),
          ),
        ),
        query: fc.tuple(...queryParams.map((p) => sometimes(parameterValue(p), 1).map((v) => [p.name, v] as const))),
        extraQuery: sometimes(fc.tuple(nastyString, nastyString), 4),
        headers: fc.tuple(...headerParams.map((p) => sometimes(fc.oneof(parameterValue(p).map(String), headerValue), 3).map((v) => [p.name, v] as const))),
        idempotencyKey: sometimes(fc.oneof(fc.uuid(), fc.constantFrom('fuzz-key-1', 'fuzz-key-2'), headerValue), 3),
        auth: pinned<'admin' | 'reader' | 'recorder' | 'auditor' | 'integrator' | 'none' | 'garbage'>(
          fc.oneof(
            { weight: 7, arbitrary: fc.constant('admin' as const) },
            { weight: 2, arbitrary: fc.constantFrom('reader' as const, 'recorder' as const, 'auditor' as const, 'integrator' as const) },
            { weight: 1, arbitrary: fc.constantFrom('none' as const, 'garbage' as const) },
          ),
          'admin',
        ),
        body: wellFormed ?? bodyFor(op),
        contentType: pinned(contentType(op), op.bodyTypes[0] ?? 'application/json'),
      })
      .map((r) => {
        let url = op.path;
        for (const [name, value] of r.path) url = url.replace(`{${name}}`, urlPart(value));
        const query = [
          ...r.query.flatMap(([name, value]) =>
            value === undefined ? [] : (Array.isArray(value) ? value : [value]).map((v) => `${urlPart(name)}=${urlPart(v)}`),
          ),
          ...(r.extraQuery ? [`${urlPart(r.extraQuery[0])}=${urlPart(r.extraQuery[1])}`] : []),
        ];
        const headers: Record<string, string> = {};
        for (const [name, value] of r.headers) if (value !== undefined) headers[name.toLowerCase()] = value;
        if (r.idempotencyKey !== undefined) headers['idempotency-key'] = r.idempotencyKey;
        if (r.auth === 'garbage') headers.authorization = 'Bearer not-a-token';
        else if (r.auth !== 'none') headers.authorization = `Bearer ${t.tokens[r.auth]}`;
        const sendsBody = r.method !== 'GET' && r.method !== 'HEAD' && r.body.payload !== undefined;
        if (sendsBody && r.contentType !== undefined) headers['content-type'] = r.contentType;
        return {
          method: r.method as InjectOptions['method'],
          url: query.length > 0 ? `${url}?${query.join('&')}` : url,
          headers,
          ...(sendsBody ? { payload: r.body.payload } : {}),
          mustRefuse: sendsBody && r.body.invalid === true,
        };
      });
  };

  /**
   * The live feed never ends a 200 on its own: inject would wait forever. Any other answer (a refusal) ends; a 200
   * is cut off by the ledger's shutdown, which the test cannot wait for, so its stream is not read.
   */
  const isLiveFeed = (req: InjectOptions): boolean => (req.method === 'GET' || req.method === 'HEAD') && /^\/feed\/stream(\?|$)/.test(String(req.url));

  /** Everything written since `before`, the access log included: a refused auditor read must not enter it either. */
  const writtenSince = async (before: bigint): Promise<string[]> => (await s.store.readAll({ fromPosition: before })).map((e) => `${e.streamName} ${e.type}`);

  it(`${RUNS} generated requests over every documented route: no 5xx, errors as problems, nothing written by a refusal`, async () => {
    expect(operations.length).toBeGreaterThan(30);
    const failures = new Map<string, string>();
    const statuses = new Map<string, number>();
    const note = (key: string, example: string) => {
      if (!failures.has(key)) failures.set(key, example);
    };
    const live = operations.filter((op) => !(op.method === 'GET' && op.path === '/feed/stream'));
    // Commands weigh more: they are fewer, and the only routes whose refusals could write.
    const request = fc.oneof(...live.map((op) => ({ weight: op.method === 'POST' ? 3 : 1, arbitrary: requestFor(op) })));
    // The feed's own refusals are still fuzzed: only its query and headers, with a position past the head.
    // Bodies that must be refused, sent so that nothing else in the request would refuse them first.
    const refusedBodies = live.flatMap((op) => {
      const wrapped = op.method === 'POST' ? wrappedBody(op) : undefined;
      return wrapped ? [requestFor(op, wrapped)] : [];
    });
    const feedRefusal = requestFor(operations.find((op) => op.path === '/feed/stream')!).filter((r) => !isLiveFeed(r) || /from=[^&]*[^0-9&]/.test(String(r.url)));

    // Warm up (JIT, caches, the read models' connections) before the memory baseline.
    for (const op of live.filter((o) => o.method === 'GET').slice(0, 10)) await s.send({ method: 'GET', url: op.path, headers: s.bearer('admin') });
    const before = await settledMemory();
    if (SNAPSHOT_DIR) writeHeapSnapshot(join(SNAPSHOT_DIR, 'fuzz-before.heapsnapshot'));
    const samples: string[] = [];
    let sent = 0;
    const started = Date.now();

    await fc.assert(
      fc.asyncProperty(fc.oneof({ weight: 30, arbitrary: request }, { weight: 1, arbitrary: feedRefusal }, { weight: 2, arbitrary: fc.oneof(...refusedBodies) }), async ({ mustRefuse, ...req }) => {
        if (isLiveFeed(req) && !/from=[^&]*[^0-9&]/.test(String(req.url))) return true;
        if (++sent % Math.max(1, Math.floor(RUNS / 20)) === 0) {
          const now = await settledMemory();
          samples.push(`${sent}: rss ${now.rssMb.toFixed(0)} heap ${now.heapMb.toFixed(0)} ext ${now.externalMb.toFixed(0)}`);
        }
        const head = await s.head();
        let res: Response;
        try {
          res = await s.send(req);
        } catch (error) {
          note(`inject threw on ${req.method} ${String(req.url).split('?')[0]}`, `${(error as Error).message} ${JSON.stringify(req).slice(0, 300)}`);
          return true;
        }
        const route = `${req.method} ${String(req.url).split('?')[0].replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, '{id}').slice(0, 80)}`;
        const example = () => `${JSON.stringify(req).slice(0, 400)} -> ${res.statusCode} ${res.body.slice(0, 300)}`;
        statuses.set(String(res.statusCode), (statuses.get(String(res.statusCode)) ?? 0) + 1);
        if (res.statusCode >= 500) note(`${route} ${res.statusCode}`, example());
        if (mustRefuse && res.statusCode < 400) note(`${route} ${res.statusCode} accepted an array for an object or a list`, example());
        if (res.statusCode >= 400) {
          const type = String(res.headers['content-type'] ?? '');
          let body: { status?: unknown; code?: unknown } | undefined;
          try {
            body = req.method === 'HEAD' ? { status: res.statusCode, code: 'head' } : JSON.parse(res.body);
          } catch {
            body = undefined;
          }
          if (!type.startsWith('application/problem+json') || body?.status !== res.statusCode || typeof body?.code !== 'string') {
            note(`${route} ${res.statusCode} not a problem`, example());
          }
          const written = await writtenSince(head);
          if (written.length > 0) note(`${route} ${res.statusCode} wrote ${written[0]}`, example());
        }
        return true;
      }),
      { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }) },
    );

    // Let the projection thread and pending timers settle, then collect what can be collected.
    const after = await settledMemory();
    if (SNAPSHOT_DIR) writeHeapSnapshot(join(SNAPSHOT_DIR, 'fuzz-after.heapsnapshot'));
    const rssGrowthMb = after.rssMb - before.rssMb;
    console.log(
      `fuzz: ${RUNS} requests in ${((Date.now() - started) / 1000).toFixed(1)} s; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}; ` +
        `RSS ${before.rssMb.toFixed(0)} MB -> ${after.rssMb.toFixed(0)} MB, heap ${before.heapMb.toFixed(0)} MB -> ${after.heapMb.toFixed(0)} MB (after GC); ${samples.join('; ')}`,
    );
    expect([...failures].map(([key, example]) => `${key}: ${example}`)).toEqual([]);
    // Enough valid requests got through for the run to mean something.
    expect([...statuses].filter(([status]) => status.startsWith('2')).reduce((n, [, count]) => n + count, 0)).toBeGreaterThan(RUNS / 20);
    expect(rssGrowthMb).toBeLessThan(RSS_GROWTH_LIMIT_MB);
    expect(after.heapMb - before.heapMb).toBeLessThan(HEAP_GROWTH_LIMIT_MB);

    // Metric labels are route patterns, never the raw (fuzzed) URL: a label per URL would be a leak of its own.
    // The document itself is served beside the routes it documents, and so are the dashboard's built files (one
    // registered route each, when dist/dashboard exists): a fixed set, not a label per URL.
    const dashboardRoot = dashboardDirectory();
    const patterns = new Set([
      '/openapi.json',
      ...operations.map((op) => op.path.replace(/\{([^}]+)\}/g, ':$1')),
      ...(dashboardRoot ? loadDashboardFiles(dashboardRoot).keys() : []),
    ]);
    // The page itself is always asked for once, so a run that never generated `/` still checks its label.
    if (dashboardRoot) expect((await s.send({ method: 'GET', url: '/' })).statusCode).toBe(200);
    const metrics = await s.send({ method: 'GET', url: '/metrics', headers: s.bearer('admin') });
    const routes = new Set([...metrics.body.matchAll(/^ledger_http_requests_total\{[^}]*route="([^"]*)"/gm)].map((m) => m[1]));
    expect(routes.size).toBeGreaterThan(10);
    expect([...routes].filter((route) => route !== 'unmatched' && !patterns.has(route))).toEqual([]);
  });
});
