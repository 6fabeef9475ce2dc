import { CsvFormatQuery } from '../../platform/http/conditional-get.csv';
import { PageQueryDto } from '../../platform/http/dto/page-query.dto';
import { SearchQuery } from '../../platform/http/dto/search-query';

export class PartyDirectoryQueryDto extends PageQueryDto {
  @SearchQuery('parties whose name, id or an alias holds every word (case-insensitive)', 'azerbaijan')
  q?: string;

  @CsvFormatQuery()
  format?: 'json' | 'csv';
}
