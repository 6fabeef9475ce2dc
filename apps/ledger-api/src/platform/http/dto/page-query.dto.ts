import { MAX_PAGE_LIMIT, MAX_PAGE_OFFSET } from '@ledger/read-models';
import { WholeNumberQuery } from './whole-number-query';

export class PageQueryDto {
  @WholeNumberQuery({ minimum: 1, maximum: MAX_PAGE_LIMIT, default: 50 })
  limit?: number;

  @WholeNumberQuery({ minimum: 0, maximum: MAX_PAGE_OFFSET, default: 0 })
  offset?: number;
}
