import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { InformationCredibility, SOURCE_RELIABILITIES, SourceReliability } from '@ledger/domain';
import type { GradeFilter } from '@ledger/read-models';
import { WholeNumberQuery } from './whole-number-query';

/** `minReliability=A..F`: what the minimum applies to is the route's to say. */
export const MinReliabilityQuery = (what: string): PropertyDecorator =>
  applyDecorators(
    ApiPropertyOptional({
      enum: SOURCE_RELIABILITIES,
      description: `${what} graded with a source reliability at least this good (Admiralty system, A best, F "cannot be judged" last): B admits A and B. Ungraded claims never meet a minimum.`,
    }),
    IsOptional(),
    IsIn(SOURCE_RELIABILITIES),
  );

/** `minCredibility=1..6`. */
export const MinCredibilityQuery = (what: string): PropertyDecorator =>
  WholeNumberQuery({
    minimum: 1,
    maximum: 6,
    description: `${what} graded with an information credibility at least this good (1 confirmed best, 6 "cannot be judged" last): 2 admits 1 and 2. Ungraded claims never meet a minimum.`,
  });

/** The minimum grade of a query, with only the scales given. */
export const minGradeOf = (q: { minReliability?: SourceReliability; minCredibility?: InformationCredibility }): GradeFilter => ({
  ...(q.minReliability !== undefined ? { minReliability: q.minReliability } : {}),
  ...(q.minCredibility !== undefined ? { minCredibility: q.minCredibility } : {}),
});
