import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export interface WholeNumberQueryOptions {
  minimum: number;
  /** Keep it within what the store behind the parameter can hold: a larger value must be a 400, not a store error. */
  maximum: number;
  required?: boolean;
  default?: number;
  description?: string;
}

// Decimal digits only: Number() would also take '', ' ', '0x10' and '1e3', and round 2^63 to a value SQLite refuses.
const DIGITS = /^-?\d{1,16}$/;

/**
 * A whole-number query parameter, documented and checked from one declaration: anything but decimal digits within
 * [minimum, maximum] is a 400 naming the parameter.
 */
export const WholeNumberQuery = (options: WholeNumberQueryOptions): PropertyDecorator => {
  const { required = false, ...docs } = options;
  return applyDecorators(
    (required ? ApiProperty : ApiPropertyOptional)({ type: 'integer', ...docs }),
    ...(required ? [] : [IsOptional()]),
    Transform(({ value }) => (typeof value === 'string' && DIGITS.test(value) ? Number(value) : value)),
    IsInt(),
    Min(options.minimum),
    Max(options.maximum),
  );
};
