import { Controller, Get, Query as QueryParams } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Roles } from '../../platform/http/request-context';
import { ApiProblemResponse } from '../../platform/openapi/api-problem-response.decorator';
import { FeedFilter } from '../shared/feed-filter';
import { parsePosition } from '../shared/feed-position';
import { DEFAULT_FEED_PAGE_LIMIT, FeedPageDto, ReadFeedPageQueryDto } from './read-feed-page.dto';
import { FeedPage, readFeedPage } from './read-feed-page.query';
import { FeedLog } from '../shared/feed-log.service';

@ApiTags('feed')
@ApiBearerAuth()
@Controller('feed')
export class ReadFeedPageController {
  constructor(private readonly log: FeedLog) {}

  @Get('events')
  @Roles('integrator')
  @ApiOperation({
    summary: 'Paged feed: ledger events after a global position, as CloudEvents',
    description:
      'Pages over the global log in position order (ledger streams only). Start with `after=0` and pass each page\'s ' +
      '`next` as the following `after`: positions only grow, so no event is returned twice or skipped, even while the ' +
      'ledger is written. Filters: `incident`, `party`, `type`, each repeatable (any of its values), combined with AND. ' +
      'A page may hold fewer than `limit` events (even none) before the head: each request looks at a bounded number ' +
      'of events, and `next` moves past all of them. A scoped token sees only its scope, and may filter only within it.',
  })
  @ApiOkResponse({ type: FeedPageDto })
  @ApiProblemResponse(400, 'Invalid query parameters, named in errors[].field')
  @ApiProblemResponse(403, 'Or a filter outside the token scope (`field` names it).')
  read(@QueryParams() query: ReadFeedPageQueryDto, @CurrentPrincipal() principal: Principal): Promise<FeedPage> {
    const filter = FeedFilter.for({ incidents: query.incident, parties: query.party, types: query.type }, principal);
    const after = query.after === undefined ? 0n : parsePosition(query.after)!;
    return readFeedPage(this.log, after, query.limit ?? DEFAULT_FEED_PAGE_LIMIT, filter);
  }
}
