import { ValidateIf } from 'class-validator';

/** Optional()'s condition, one function for every use, so that a compiled body check can recognise it. */
export const OPTIONAL_CONDITION = (_object: object, value: unknown): boolean => value !== undefined;

/**
 * The member may be left out, but not sent as null: class-validator's
 * @IsOptional lets null through, and a null assertion or estimate would
 * reach the stored event.
 */
export const Optional = (): PropertyDecorator => ValidateIf(OPTIONAL_CONDITION);
