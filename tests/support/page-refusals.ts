import type { Response } from 'light-my-request';
import { expectInvalidFields, expectProblem } from './problem-assertions';

/** Page parameters every paged read refuses, with the parameter its 400 must name. */
export const BAD_PAGE_QUERIES: Array<[string, 'limit' | 'after']> = [
  ['limit=0', 'limit'],
  ['limit=1001', 'limit'],
  ['limit=ten', 'limit'],
  ['after=-1', 'after'],
  ['after=abc', 'after'],
  ['after=99999999999999999999', 'after'],
  ['after=9999999999999999999', 'after'],
  ['limit=5&limit=6', 'limit'],
  ['after=1&after=2', 'after'],
  ['limit=%00', 'limit'],
  ['after=1%00', 'after'],
];

/** A 400 naming `field`: from the query's validation (errors[]) or from the read models' own check of the cursor. */
export const expectPageRefusal = (res: Response, field: string): void => {
  if (res.statusCode === 400 && res.json().errors) expectInvalidFields(res, [field]);
  else expect(expectProblem(res, 400, 'invalid-query').field ?? res.json().field).toBe(field);
};
