import { EntriesPageQueryDto } from '../../platform/http/dto/entries-page-query.dto';
import { CsvFormatQuery } from '../../platform/http/conditional-get.csv';

/** A page of an incident's entries, as JSON or CSV. */
export class EntriesListQueryDto extends EntriesPageQueryDto {
  @CsvFormatQuery()
  format?: 'json' | 'csv';
}
