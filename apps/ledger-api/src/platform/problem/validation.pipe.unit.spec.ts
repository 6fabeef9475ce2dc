import { Type } from 'class-transformer';
import { IsInt, IsString, Min, ValidateNested } from 'class-validator';
import type { ValidationError } from 'class-validator';
import { createValidationPipe, flattenValidationErrors, NUL_MESSAGE, nulFieldErrors, RequestValidationException } from './validation.pipe';

class VictimDto {
  @IsString() name!: string;
}
class SideDto {
  @ValidateNested({ each: true }) @Type(() => VictimDto) victims!: VictimDto[];
  @IsInt() @Min(0) count!: number;
}
class ReportDto {
  @ValidateNested({ each: true }) @Type(() => SideDto) sides!: SideDto[];
}

describe('createValidationPipe', () => {
  const pipe = createValidationPipe();
  const run = (value: unknown) => pipe.transform(value, { type: 'body', metatype: ReportDto });

  it('returns a DTO instance for a valid body', async () => {
    const dto = await run({ sides: [{ victims: [{ name: 'A' }], count: 1 }] });
    expect(dto).toBeInstanceOf(ReportDto);
    expect(dto.sides[0]).toBeInstanceOf(SideDto);
  });

  it('throws RequestValidationException with paths through nested arrays', async () => {
    const error: unknown = await run({ sides: [{ victims: [], count: 0 }, { victims: [{ name: 'A' }, { name: 3 }], count: -1 }] }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RequestValidationException);
    const e = error as RequestValidationException;
    expect(e.getStatus()).toBe(400);
    expect(e.code).toBe('validation-failed');
    expect(e.errors).toEqual([
      { field: 'sides[1].victims[1].name', messages: ['name must be a string'] },
      { field: 'sides[1].count', messages: ['count must not be less than 0'] },
    ]);
    expect(e.extensions).toEqual({ errors: e.errors });
  });

  it('does not echo rejected values back (they may be large or sensitive)', async () => {
    const error = (await run({ sides: 'nope', secret: 's3cr3t' }).catch((e: unknown) => e)) as RequestValidationException;
    expect(JSON.stringify(error.errors)).not.toContain('s3cr3t');
    expect(error.errors.map((f) => f.field).sort()).toEqual(['secret', 'sides']);
  });
});

describe('flattenValidationErrors', () => {
  it('brackets indices, dots names, and quotes odd keys', () => {
    const errors: ValidationError[] = [
      {
        property: 'aliases',
        children: [
          { property: '2', constraints: { isString: 'must be a string' }, children: [] },
          { property: 'en-GB', constraints: { isString: 'must be a string' }, children: [] },
        ],
      },
      { property: '0', constraints: { isObject: 'must be an object' } },
    ];
    expect(flattenValidationErrors(errors)).toEqual([
      { field: 'aliases[2]', messages: ['must be a string'] },
      { field: 'aliases["en-GB"]', messages: ['must be a string'] },
      { field: '[0]', messages: ['must be an object'] },
    ]);
  });
});

describe('nulFieldErrors', () => {
  it('names every string holding U+0000 by its path (as the other validation errors name them), in document order, and member names holding one', () => {
    const body = { a: 'x\u0000', b: [{ c: 'ok' }, { c: '\u0000' }], 'odd key': { d: 'y\u0000z' }, ['k\u0000']: 1, n: 3, m: null };
    expect(nulFieldErrors(body)).toEqual([
      { field: 'a', messages: [NUL_MESSAGE] },
      { field: 'b[1].c', messages: [NUL_MESSAGE] },
      { field: 'odd key.d', messages: [NUL_MESSAGE] },
      { field: 'k\u0000', messages: [NUL_MESSAGE] },
    ]);
    expect(nulFieldErrors({ a: 'x', b: ['\u0001', '\ufffd'] })).toEqual([]);
  });

  it('finds one anywhere a parsed request can hold it: a member name deep in an array, a query object with no prototype', () => {
    expect(nulFieldErrors({ a: [[{ ok: 'x' }, { ['x\u0000']: 'y' }]] })).toEqual([{ field: 'a[0][1]["x\\u0000"]', messages: [NUL_MESSAGE] }]);
    const query = Object.assign(Object.create(null) as Record<string, unknown>, { q: 'a', page: ['1', '2\u0000'] });
    expect(nulFieldErrors(query)).toEqual([{ field: 'page[1]', messages: [NUL_MESSAGE] }]);
    // Inherited members are not the request's: the prototype's are never looked at.
    const inherited = Object.create({ bad: '\u0000' }) as Record<string, unknown>;
    inherited.good = 'x';
    expect(nulFieldErrors(inherited)).toEqual([]);
  });

  it('the pipe refuses a body holding one before anything else is checked', async () => {
    const pipe = createValidationPipe();
    await expect(pipe.transform({ sides: [{ victims: [{ name: 'a\u0000' }], count: 1 }] }, { type: 'body', metatype: ReportDto })).rejects.toMatchObject({
      errors: [{ field: 'sides[0].victims[0].name', messages: [NUL_MESSAGE] }],
    });
  });
});
