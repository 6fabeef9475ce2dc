import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';

/** RFC 9457 problem details as the ledger sends them (content type application/problem+json). */
@ApiSchema({ name: 'Problem', description: 'RFC 9457 problem details (application/problem+json).' })
export class ProblemDto {
  @ApiProperty({ format: 'uri', example: 'https://incident-ledger.dev/problems/not-found', description: 'Identifies the problem type.' })
  type!: string;

  @ApiProperty({ example: 'Not Found', description: 'Short summary of the problem type.' })
  title!: string;

  @ApiProperty({ type: 'integer', example: 404, description: 'HTTP status code.' })
  status!: number;

  @ApiProperty({ example: 'Incident 0b9d… does not exist.', description: 'What went wrong with this request.' })
  detail!: string;

  @ApiPropertyOptional({ format: 'uri-reference', example: '/incidents/0b9d…', description: 'The request path.' })
  instance?: string;

  @ApiProperty({ example: 'not-found', description: 'Stable machine-readable code; the last segment of `type`.' })
  code!: string;

  @ApiPropertyOptional({ example: '5f0c6d8e-3b1a-4c1e-9a47-2f7f1c2b9e10', description: 'Echo of X-Correlation-Id; quote it when reporting a problem.' })
  correlationId?: string;
}

@ApiSchema({ name: 'FieldError' })
export class FieldErrorDto {
  @ApiProperty({ example: 'assertions.casualties[0].killed.best', description: 'Dotted path into the request body, [i] for array items.' })
  field!: string;

  @ApiProperty({ type: [String], example: ['best must not be less than 0'] })
  messages!: string[];
}

@ApiSchema({ name: 'ValidationProblem', description: 'A 400 problem listing every invalid field.' })
export class ValidationProblemDto extends ProblemDto {
  @ApiProperty({ type: [FieldErrorDto] })
  errors!: FieldErrorDto[];
}

@ApiSchema({ name: 'DomainProblem', description: 'A refusal by a ledger rule (404 not found, 409 conflict, 422 rule).' })
export class DomainProblemDto extends ProblemDto {
  @ApiProperty({ type: String, nullable: true, example: 'claimId', description: 'The input at fault, when there is one.' })
  field!: string | null;
}

@ApiSchema({ name: 'RevisionConflictProblem', description: 'The stream changed since the revision the request expected.' })
export class RevisionConflictProblemDto extends ProblemDto {
  @ApiProperty({ type: String, nullable: true, example: '7', description: 'Current revision of the stream (a 64-bit integer as a string), null when it does not exist.' })
  currentRevision!: string | null;

  @ApiProperty({ example: '5', description: 'The revision the request expected, or any / no_stream / stream_exists.' })
  expectedRevision!: string;
}

export const PROBLEM_MODELS = [ProblemDto, FieldErrorDto, ValidationProblemDto, DomainProblemDto, RevisionConflictProblemDto];
