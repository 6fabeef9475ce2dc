import { PageQueryDto } from '../../platform/http/dto/page-query.dto';
import { CsvFormatQuery } from '../../platform/http/conditional-get.csv';

export class ListPartiesQueryDto extends PageQueryDto {
  @CsvFormatQuery()
  format?: 'json' | 'csv';
}
