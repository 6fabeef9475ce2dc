import { HttpException } from '@nestjs/common';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
export const PROBLEM_TYPE_BASE = 'https://incident-ledger.dev/problems/';

/** RFC 9457 problem details, plus our stable `code` and any extension members. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  code: string;
  [extension: string]: unknown;
}

export interface ProblemExceptionOptions {
  /** Overrides the title derived from the status. */
  title?: string;
  /** Response headers that belong to this problem (WWW-Authenticate, Retry-After, ...). */
  headers?: Record<string, string>;
  cause?: unknown;
}

/** Problem members that an extension must not overwrite. */
export const RESERVED_PROBLEM_MEMBERS: ReadonlySet<string> = new Set(['type', 'title', 'status', 'detail', 'instance', 'code']);

/**
 * The way controllers, guards and pipes refuse a request with a specific,
 * documented problem type: `throw new ProblemException(412, 'revision-mismatch', '...', { currentRevision })`.
 * `code` becomes both the `code` member and the last segment of the `type` URI.
 */
export class ProblemException extends HttpException {
  readonly code: string;
  readonly detail: string;
  readonly extensions: Readonly<Record<string, unknown>>;
  readonly title?: string;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: number,
    code: string,
    detail: string,
    extensions: Record<string, unknown> = {},
    options: ProblemExceptionOptions = {},
  ) {
    super(detail, status, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ProblemException';
    this.code = code;
    this.detail = detail;
    this.extensions = extensions;
    this.title = options.title;
    this.headers = options.headers ?? {};
  }
}

export const problemType = (code: string): string => PROBLEM_TYPE_BASE + encodeURIComponent(toKebabCase(code));

/** `INCIDENT_NOT_FOUND`, `IncidentNotFound` and `incident-not-found` name the same problem type. */
export function toKebabCase(code: string): string {
  return code
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/[\s_.]+/g, '-')
    .toLowerCase();
}
