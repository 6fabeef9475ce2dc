import { ValidateIf } from 'class-validator';

/**
 * The member may be left out, but not sent as null: class-validator's
 * @IsOptional lets null through, and a null assertion or estimate would
 * reach the stored event.
 */
export const Optional = (): PropertyDecorator => ValidateIf((_object: object, value: unknown) => value !== undefined);
