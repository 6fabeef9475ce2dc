import { Readable } from 'node:stream';
import { Controller, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CorrelationId, CurrentPrincipal, Principal, Roles } from '../../platform/http/request-context';
import { ApiProblemResponse } from '../../platform/openapi/api-problem-response.decorator';
import { ProblemException } from '../../platform/problem/problem.exception';
import { toProblem } from '../../platform/problem/problem-details';
import { CSV_CONTENT_TYPE } from '../shared/streamed-body.parser';
import { DatasetFileError, DatasetHeaderError } from '../shared/datasets/dataset-csv.reader';
import { DatasetImportAbortedError } from '../shared/datasets/dataset-import-run';
import { ImportDatasetCommand } from './import-dataset.command';
import { DatasetImportSummaryDto, ImportDatasetParamsDto, ImportDatasetQueryDto } from './import-dataset.dto';
import { ImportDatasetResult } from './import-dataset.handler';

const EXAMPLE = [
  'event_id_cnty,event_date,time_precision,event_type,sub_event_type,actor1,actor2,country,admin1,location,latitude,longitude,geo_precision,source,notes,fatalities,timestamp',
  'AZE1001,2019-05-31,1,Battles,Armed clash,Military Forces of Azerbaijan (2003-),Military Forces of Artsakh,Azerbaijan,Tartar,Line of contact near Tartar,40.3417,46.9328,2,APA; Trend,An officer was killed.,1,1559347200',
].join('\n');

/** A release that could not be read on: the wrong file (nothing read) is the request's fault; a broken one stops where it broke. */
const abortedProblem = (error: DatasetImportAbortedError): ProblemException => {
  const { cause, summary } = error;
  const headers = { connection: 'close' };
  if (cause instanceof DatasetHeaderError) {
    return new ProblemException(400, 'wrong-layout', `The body is ${cause.message}.`, { missing: cause.missing, summary }, { headers, title: 'Not the layout of the dataset' });
  }
  if (cause instanceof DatasetFileError) {
    const at = cause.line !== undefined ? ` at line ${cause.line}` : '';
    return new ProblemException(400, 'unreadable-csv', `${cause.message}${at}; the rows before it were handled.`, { line: cause.line ?? null, summary }, { headers, title: 'Unreadable CSV' });
  }
  const { status, body } = toProblem(cause);
  return new ProblemException(status, body.code, `${body.detail} The import stopped after ${summary.rows} rows; rows already imported stay imported.`, { summary }, {
    headers: status === 503 ? { ...headers, 'retry-after': '5' } : headers,
    title: body.title,
    cause,
  });
};

@ApiTags('imports')
@ApiBearerAuth()
@Controller('imports/datasets')
export class ImportDatasetController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':dataset')
  @HttpCode(200)
  @Roles('recorder')
  @ApiConsumes(CSV_CONTENT_TYPE)
  @ApiOperation({
    summary: "Import a release of ACLED or UCDP GED in its published CSV layout",
    description: [
      "Each row becomes an incident and a claim by the monitor (party acled or ucdp, registered on first use), both with ids derived",
      "from the dataset and the row's own id (ACLED event_id_cnty, UCDP GED id), with when and where at their precision, the fatalities",
      '(best, low, high where the dataset has them) and the row’s sources. Importing again writes nothing for an unchanged row and one',
      "correction of the monitor's claim for a changed one (its field diff in the claim's history); rows missing from the release are",
      'left as they are. A row that cannot be read or taken is reported with its line and writes nothing; the others go on. The same',
      'path as the CLI’s `import --dataset`, in the bulk import’s batches. The body is streamed; a record over 1 MiB stops the import.',
    ].join(' '),
  })
  @ApiBody({ description: "text/csv: the dataset's header, then one event per record", required: true, schema: { type: 'string', example: EXAMPLE } })
  @ApiHeader({ name: 'X-Correlation-Id', required: false, description: 'Shared by every event of the import' })
  @ApiOkResponse({ type: DatasetImportSummaryDto, description: 'Every row handled: counts, the last position, the read models, and the failed rows' })
  @ApiProblemResponse(400, 'Invalid dataset, release or released (validation-failed); empty body (empty-body); a header lacking the layout’s columns (wrong-layout); a CSV that cannot be read on (unreadable-csv, with the summary of the rows before)')
  @ApiProblemResponse(415, 'Content-Type is not text/csv')
  @ApiProblemResponse(503, 'The event store became unavailable; the problem carries the summary so far')
  async import(
    @Param() params: ImportDatasetParamsDto,
    @Query() query: ImportDatasetQueryDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @CurrentPrincipal() principal: Principal,
    @CorrelationId() correlationId: string,
  ): Promise<ImportDatasetResult> {
    const body = request.body;
    if (!(body instanceof Readable)) {
      throw new ProblemException(400, 'empty-body', "The import has no body; send the dataset's CSV.", {}, { title: 'Empty request body' });
    }
    const release = { dataset: params.dataset, ...(query.release ? { name: query.release } : {}), publishedAt: query.released ?? new Date().toISOString().slice(0, 10) };
    let result: ImportDatasetResult;
    try {
      result = await this.commands.execute(new ImportDatasetCommand(body, release, principal.id, correlationId));
    } catch (error) {
      if (error instanceof DatasetImportAbortedError) throw abortedProblem(error);
      throw error;
    }
    reply.header('Read-Models', result.readModels.state);
    return result;
  }
}
