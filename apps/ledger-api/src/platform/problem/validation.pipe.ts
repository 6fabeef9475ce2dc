import { type ArgumentMetadata, ValidationPipe, type ValidationPipeOptions } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { type ValidationError, type ValidatorOptions, validateSync } from 'class-validator';
import { ProblemException } from './problem.exception';

export interface FieldError {
  /** Dotted path into the request, with [i] for array items: `assertions.casualties[0].killed.best`. */
  field: string;
  messages: string[];
}

export const VALIDATION_PROBLEM_CODE = 'validation-failed';

/** Thrown by the pipe from createValidationPipe(); rendered as a 400 problem with `errors`. */
export class RequestValidationException extends ProblemException {
  constructor(readonly errors: FieldError[]) {
    super(400, VALIDATION_PROBLEM_CODE, describe(errors), { errors }, { title: 'Request validation failed' });
    this.name = 'RequestValidationException';
  }
}

/** No ledger request nests anywhere near this deep; class-transformer recurses and would overflow the stack first. */
export const MAX_BODY_DEPTH = 256;

/** Depth of a parsed JSON value, measured without recursion so that a hostile body cannot overflow the stack here either. */
export function jsonDepth(value: unknown, limit = Number.POSITIVE_INFINITY): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    const level = depth + 1;
    if (level > deepest) deepest = level;
    if (deepest > limit) return deepest;
    for (const child of Object.values(node as object)) stack.push([child, level]);
  }
  return deepest;
}

class LedgerValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' && jsonDepth(value, MAX_BODY_DEPTH) > MAX_BODY_DEPTH) {
      throw new ProblemException(400, 'body-too-deep', `The request body nests deeper than ${MAX_BODY_DEPTH} levels.`);
    }
    return super.transform(value, metadata);
  }
}

/**
 * whitelist + forbidNonWhitelisted: an unknown member is more likely a typo
 * (or an older client) than something to silently drop from the ledger.
 */
const VALIDATOR_OPTIONS: ValidatorOptions = {
  whitelist: true,
  forbidNonWhitelisted: true,
  validationError: { target: false, value: false },
  stopAtFirstError: false,
};
// Explicit conversion only (@Type / @Transform): implicit conversion turns "abc" into NaN and hides the error.
const TRANSFORM_OPTIONS = { enableImplicitConversion: false };

/** transform: handlers receive DTO instances and converted path/query values. */
export function createValidationPipe(overrides: Partial<ValidationPipeOptions> = {}): ValidationPipe {
  return new LedgerValidationPipe({
    ...VALIDATOR_OPTIONS,
    transform: true,
    transformOptions: TRANSFORM_OPTIONS,
    exceptionFactory: (errors: ValidationError[]) => new RequestValidationException(flattenValidationErrors(errors)),
    ...overrides,
  });
}

/** The members the pipe deletes from every object before validating (prototype pollution), deleted alike. */
const stripPrototypeKeys = (value: unknown): void => {
  const stack = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object') continue;
    if (!Array.isArray(node)) {
      const members = node as Record<string, unknown>;
      for (const key of ['__proto__', 'prototype', 'constructor']) if (Object.prototype.hasOwnProperty.call(members, key)) delete members[key];
    }
    for (const child of Object.values(node)) stack.push(child);
  }
};

/**
 * What createValidationPipe() does to a parsed JSON object body, without the
 * pipe's promises and its checks for values JSON cannot hold (binary values,
 * sparse arrays): the same DTO instance, or the same RequestValidationException,
 * at about two thirds of the cost, which counts for a bulk import's million
 * bodies. Depth is the caller's to bound first, as the pipe does.
 */
export function validateJsonBody<T extends object>(metatype: new () => T, body: Record<string, unknown>): T {
  stripPrototypeKeys(body);
  const entity = plainToInstance(metatype, body, TRANSFORM_OPTIONS);
  const errors = validateSync(entity, VALIDATOR_OPTIONS);
  if (errors.length > 0) throw new RequestValidationException(flattenValidationErrors(errors));
  return entity;
}

/** Depth-first, so fields come out in the order the DTO declares them. */
export function flattenValidationErrors(errors: readonly ValidationError[], parentPath = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const error of errors) {
    const path = joinPath(parentPath, error.property);
    const messages = Object.values(error.constraints ?? {});
    if (messages.length > 0) out.push({ field: path, messages });
    if (error.children && error.children.length > 0) {
      out.push(...flattenValidationErrors(error.children, path));
    }
  }
  return out;
}

function joinPath(parent: string, property: string): string {
  // class-validator names array items by their index.
  if (/^\d+$/.test(property)) return `${parent}[${property}]`;
  if (parent === '') return property;
  // Map keys and other odd property names stay readable and unambiguous.
  return /^[A-Za-z_$][\w$]*$/.test(property) ? `${parent}.${property}` : `${parent}[${JSON.stringify(property)}]`;
}

function describe(errors: FieldError[]): string {
  if (errors.length === 0) return 'The request is invalid.';
  const fields = errors.map((e) => e.field || '(body)');
  const shown = fields.slice(0, 5).join(', ');
  const more = fields.length > 5 ? ` and ${fields.length - 5} more` : '';
  return `The request has ${errors.length} invalid field${errors.length === 1 ? '' : 's'}: ${shown}${more}.`;
}
