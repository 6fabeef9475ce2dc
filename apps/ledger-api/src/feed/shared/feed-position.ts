import { ValidateBy, type ValidationOptions } from 'class-validator';

/** EventStoreDB positions are unsigned 64-bit; SQLite's are smaller. Anything above cannot name an event. */
export const MAX_POSITION = 2n ** 64n - 1n;

/**
 * A global position as clients send it (decimal digits, as the feeds print them), or undefined. Positions travel as
 * strings because they are 64-bit and JSON numbers are not.
 */
export const parsePosition = (raw: unknown): bigint | undefined => {
  if (typeof raw !== 'string' || !/^\d{1,20}$/.test(raw)) return undefined;
  const value = BigInt(raw);
  return value <= MAX_POSITION ? value : undefined;
};

export const POSITION_MESSAGE = (field: string): string => `${field} must be a global position: decimal digits, 0 to ${MAX_POSITION}`;

/** `@IsFeedPosition()` on a string query parameter. */
export const IsFeedPosition = (options?: ValidationOptions): PropertyDecorator =>
  ValidateBy(
    {
      name: 'isFeedPosition',
      validator: {
        validate: (value: unknown) => parsePosition(value) !== undefined,
        defaultMessage: (args) => POSITION_MESSAGE(args?.property ?? 'position'),
      },
    },
    options,
  );
