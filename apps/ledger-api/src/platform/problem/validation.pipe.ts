import { type ArgumentMetadata, ValidationPipe, type ValidationPipeOptions } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { type ValidationError, validateSync } from 'class-validator';
import { bodyCheckOf, bodyInstantiationOf, isJsonObject } from './compiled-body-check';
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

/**
 * Depth of a parsed JSON value, measured without recursion so that a hostile body cannot overflow the stack here either.
 * Every request body passes here: nodes and depths go on two plain stacks, not a pair per node.
 */
export function jsonDepth(value: unknown, limit = Number.POSITIVE_INFINITY): number {
  let deepest = 0;
  const nodes: unknown[] = [value];
  const depths: number[] = [0];
  while (nodes.length > 0) {
    const node = nodes.pop();
    const level = depths.pop()! + 1;
    if (node === null || typeof node !== 'object') continue;
    if (level > deepest) deepest = level;
    if (deepest > limit) return deepest;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        nodes.push(node[i]);
        depths.push(level);
      }
      continue;
    }
    for (const key in node) {
      if (!Object.hasOwn(node, key)) continue;
      nodes.push((node as Record<string, unknown>)[key]);
      depths.push(level);
    }
  }
  return deepest;
}

export const NUL_MESSAGE = 'must not contain the NUL character (U+0000)';

/**
 * Every string (and member name) of a parsed request that holds U+0000, by path. The ledger refuses them at input:
 * PostgreSQL text cannot store the character, and no statement, name or source needs it. Iterative, like jsonDepth.
 * Paths are built only for a body that holds one: every request and every imported line passes here, and building the
 * path of every member was a tenth of what an import's lines allocated.
 */
export function nulFieldErrors(value: unknown): FieldError[] {
  return holdsNul(value) ? nulPaths(value) : [];
}

/** Whether any string or member name in `value` holds U+0000; allocates nothing but its stack. */
function holdsNul(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node === 'string') {
      if (node.includes('\u0000')) return true;
      continue;
    }
    if (node === null || typeof node !== 'object') continue;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) stack.push(node[i]);
      continue;
    }
    for (const key in node) {
      if (!Object.hasOwn(node, key)) continue;
      if (key.includes('\u0000')) return true;
      stack.push((node as Record<string, unknown>)[key]);
    }
  }
  return false;
}

function nulPaths(value: unknown): FieldError[] {
  const errors: FieldError[] = [];
  // The third member: the member name at `path` holds U+0000 (reported in document order, its value not looked into).
  const stack: Array<[unknown, string, boolean?]> = [[value, '']];
  while (stack.length > 0) {
    const [node, path, nulName] = stack.pop()!;
    if (nulName || typeof node === 'string') {
      if (nulName || (node as string).includes('\u0000')) errors.push({ field: path, messages: [NUL_MESSAGE] });
      continue;
    }
    if (node === null || typeof node !== 'object') continue;
    const entries = Array.isArray(node) ? node.map((item, i) => [String(i), item] as const) : Object.entries(node);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i];
      stack.push([child, joinPath(path, key), key.includes('\u0000')]);
    }
  }
  return errors;
}

class LedgerValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' && jsonDepth(value, MAX_BODY_DEPTH) > MAX_BODY_DEPTH) {
      throw new ProblemException(400, 'body-too-deep', `The request body nests deeper than ${MAX_BODY_DEPTH} levels.`);
    }
    if (metadata.type === 'body' || metadata.type === 'query' || metadata.type === 'param') {
      const nul = nulFieldErrors(value);
      if (nul.length > 0) throw new RequestValidationException(nul);
    }
    if (metadata.type === 'body' && typeof metadata.metatype === 'function' && !this.expectedType) {
      const valid = this.validJsonBody(metadata.metatype as new () => object, value);
      if (valid) return valid;
    }
    return super.transform(value, metadata);
  }

  /**
   * The DTO of a body its compiled check accepts (see compiled-body-check): what the full path returns for it, without
   * class-validator. Undefined for anything else, which the full path then checks and, if need be, refuses.
   */
  private validJsonBody<T extends object>(metatype: new () => T, body: unknown): T | undefined {
    if (!isJsonObject(body)) return undefined;
    const check = bodyCheckOf(metatype);
    if (!check) return undefined;
    this.stripProtoKeys(body);
    if (!check(body as Record<string, unknown>)) return undefined;
    const make = this.plainTransformOptions() ? bodyInstantiationOf(metatype) : undefined;
    return make ? make(body as Record<string, unknown>) : plainToInstance(metatype, body, this.transformOptions);
  }

  private plainTransform: boolean | undefined;

  /** Whether plainToInstance runs with nothing but its defaults (and no implicit conversion): what bodyInstantiationOf mirrors. */
  private plainTransformOptions(): boolean {
    this.plainTransform ??= Object.entries(this.transformOptions ?? {}).every(([name, value]) => name === 'enableImplicitConversion' && value === false);
    return this.plainTransform;
  }

  /**
   * transform() for a parsed JSON object body with the same options, without its promises and its checks for values
   * JSON cannot hold (binary values, sparse arrays): about two thirds of the cost, which counts for a bulk import's
   * million bodies.
   */
  transformJsonBody<T extends object>(metatype: new () => T, body: Record<string, unknown>): T {
    const nul = nulFieldErrors(body);
    if (nul.length > 0) throw new RequestValidationException(nul);
    const valid = this.validJsonBody(metatype, body);
    if (valid) return valid;
    this.stripProtoKeys(body);
    const entity = plainToInstance(metatype, body, this.transformOptions);
    const errors = validateSync(entity, this.validatorOptions);
    if (errors.length > 0) throw this.exceptionFactory(errors);
    return entity;
  }
}

/**
 * whitelist + forbidNonWhitelisted: an unknown member is more likely a typo
 * (or an older client) than something to silently drop from the ledger.
 * transform: handlers receive DTO instances and converted path/query values.
 */
export function createValidationPipe(overrides: Partial<ValidationPipeOptions> = {}): ValidationPipe {
  return new LedgerValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    // Explicit conversion only (@Type / @Transform): implicit conversion turns "abc" into NaN and hides the error.
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    stopAtFirstError: false,
    exceptionFactory: (errors: ValidationError[]) => new RequestValidationException(flattenValidationErrors(errors)),
    ...overrides,
  });
}

// The route pipe itself, so that import lines are checked under exactly the routes' options.
const jsonBodyPipe = createValidationPipe() as LedgerValidationPipe;

/**
 * What createValidationPipe() does to a parsed JSON object body, synchronously (see transformJsonBody): the same DTO
 * instance, or the same RequestValidationException. Depth is the caller's to bound first, as the pipe does.
 */
export function validateJsonBody<T extends object>(metatype: new () => T, body: Record<string, unknown>): T {
  return jsonBodyPipe.transformJsonBody(metatype, body);
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
