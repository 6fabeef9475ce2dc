import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';

/** Longest search a list takes: each word costs a LIKE over the rows searched. */
export const MAX_SEARCH_LENGTH = 200;

/** The `q` query parameter of a list searched by words: `what` says where each word must appear. */
export const SearchQuery = (what: string, example: string): PropertyDecorator =>
  applyDecorators(
    ApiPropertyOptional({ example, maxLength: MAX_SEARCH_LENGTH, description: `Search: ${what}. Searches the whole list; \`total\` counts the matches.` }),
    IsOptional(),
    IsString(),
    MaxLength(MAX_SEARCH_LENGTH),
  );
