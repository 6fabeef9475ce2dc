import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE } from '../problem/problem.exception';
import { ProblemDto } from './problem.dto';

/**
 * Documents a problem response under its real media type,
 * application/problem+json (`@ApiResponse({ type: ProblemDto })` would say application/json).
 * `@ApiProblemResponse(404, 'No such incident', DomainProblemDto)`.
 */
export function ApiProblemResponse(status: number, description: string, type: Function = ProblemDto): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(type),
    ApiResponse({
      status,
      description,
      content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(type) } } },
    }),
  );
}
