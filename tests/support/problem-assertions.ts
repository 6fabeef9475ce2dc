import type { Response } from 'light-my-request';
import type { ProblemDetails } from '../../apps/ledger-api/src/platform/problem/problem.exception';
import type { FieldError } from '../../apps/ledger-api/src/platform/problem/validation.pipe';

export const PROBLEM_TYPE_BASE = 'https://incident-ledger.dev/problems/';

/**
 * What the ledger sends for every refused request: the app's own ProblemDetails with the extensions tests read.
 * The type base stays a literal here, so that a changed problem URI fails the tests rather than following along.
 */
export interface ProblemBody extends ProblemDetails {
  correlationId?: string;
  field?: string | null;
  errors?: FieldError[];
  currentRevision?: string | null;
  expectedRevision?: string;
}

/**
 * Asserts the response is the problem `code` with HTTP `status`, sent as
 * application/problem+json with a body that repeats the status and names the
 * request path. Returns the parsed body for further assertions.
 */
export function expectProblem(res: Response, status: number, code: string): ProblemBody {
  // The body goes first in the message: when the status is wrong it says why.
  expect({ status: res.statusCode, body: res.body.slice(0, 2000) }).toMatchObject({ status });
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = res.json() as ProblemBody;
  expect(body).toMatchObject({
    type: PROBLEM_TYPE_BASE + code,
    status,
    code,
    title: expect.any(String),
    detail: expect.any(String),
  });
  expect(body.instance).toBe(res.raw.req.url?.split('?')[0]);
  return body;
}

/** Any client error must still be a problem document: never a 5xx, never Fastify's or Nest's own JSON. */
export function expectSomeClientProblem(res: Response): ProblemBody {
  const clientError = res.statusCode >= 400 && res.statusCode < 500;
  expect({ status: res.statusCode, clientError, body: res.body.slice(0, 2000) }).toMatchObject({ clientError: true });
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = res.json() as ProblemBody;
  expect(body.status).toBe(res.statusCode);
  expect(body.code).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  return body;
}

/** The fields a 400 validation problem names, in the order given. */
export const invalidFields = (body: ProblemBody): string[] => (body.errors ?? []).map((e) => e.field);

/**
 * A 400 validation-failed problem naming exactly these fields (order free):
 * every invalid field is named, and nothing valid is blamed.
 */
export function expectInvalidFields(res: Response, fields: string[]): ProblemBody {
  const body = expectProblem(res, 400, 'validation-failed');
  expect([...invalidFields(body)].sort()).toEqual([...fields].sort());
  for (const error of body.errors ?? []) expect(error.messages.length).toBeGreaterThan(0);
  return body;
}

/** A refusal by a ledger rule (404/409/422) that names the input at fault. */
export function expectRefusal(res: Response, status: 404 | 409 | 422, code: string, field: string | null): ProblemBody {
  const body = expectProblem(res, status, code);
  expect(body.field ?? null).toBe(field);
  return body;
}

/** Every field a problem names, whichever member carries it (`field` or `errors[].field`). */
export const namedFields = (body: ProblemBody): string[] =>
  [...(typeof body.field === 'string' ? [body.field] : []), ...invalidFields(body)];
