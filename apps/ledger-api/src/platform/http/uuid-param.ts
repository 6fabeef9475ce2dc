import { ParseUUIDPipe } from '@nestjs/common';
import { RequestValidationException } from '../problem/validation.pipe';

/** ParseUUIDPipe whose 400 names the path parameter at fault, like every other invalid field. */
export const uuidParam = (name: string): ParseUUIDPipe =>
  new ParseUUIDPipe({
    exceptionFactory: () => new RequestValidationException([{ field: name, messages: [`${name} must be a UUID`] }]),
  });
