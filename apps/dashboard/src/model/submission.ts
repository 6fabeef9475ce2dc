/** What a form needs from an RFC 9457 problem: each message at its field, the rest above the form. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  field?: string;
  errors?: { field: string; message?: string; messages?: string[]; code?: string }[];
  currentRevision?: string;
}

export interface FieldErrors {
  byField: Record<string, string[]>;
  general: string[];
}

/** `assertions.casualties[0].killed.best` and `assertions.casualties.0.killed.best` name the same input. */
export const normaliseField = (field: string): string => field.replace(/\[(\d+)\]/g, '.$1').replace(/^\./, '');

/**
 * Spreads a problem over the form: a 400's `errors[]` and a 422's `field` land at the input of that name when the form
 * has one (`known`), under the closest known parent otherwise, above the form when none is.
 */
export const fieldErrorsOf = (problem: Problem, known: ReadonlySet<string>): FieldErrors => {
  const byField: Record<string, string[]> = {};
  const general: string[] = [];
  const place = (field: string | undefined, message: string) => {
    if (field !== undefined) {
      const parts = normaliseField(field).split('.');
      for (let n = parts.length; n > 0; n--) {
        const candidate = parts.slice(0, n).join('.');
        if (known.has(candidate)) {
          (byField[candidate] ??= []).push(message);
          return;
        }
      }
    }
    general.push(field ? `${field}: ${message}` : message);
  };
  if (problem.errors && problem.errors.length > 0) {
    for (const e of problem.errors) place(e.field, e.messages?.join('; ') ?? e.message ?? problem.title ?? 'invalid');
  } else if (problem.status !== 409) {
    place(problem.field, problem.detail ?? problem.title ?? `error ${problem.status ?? ''}`.trim());
  }
  return { byField, general };
};

/**
 * One Idempotency-Key per submission: a double click or a retry of the same body reuses the key, so the ledger records
 * it once; a changed body is another submission and gets a new key (the ledger refuses a key reused for another body).
 */
export class SubmissionKeys {
  private current: { body: string; key: string } | undefined;

  constructor(private readonly newKey: () => string) {}

  keyFor(body: string): string {
    if (this.current?.body !== body) this.current = { body, key: this.newKey() };
    return this.current.key;
  }

  /** After a success: the next submission, even of the same words, is a new one. */
  done(): void {
    this.current = undefined;
  }
}

/** The headers of a conditional, idempotent write on the revision the form was opened on. */
export const writeHeaders = (revision: string | undefined, key: string): Record<string, string> => ({
  'Idempotency-Key': key,
  ...(revision !== undefined ? { 'If-Match': `"${revision}"` } : {}),
});
