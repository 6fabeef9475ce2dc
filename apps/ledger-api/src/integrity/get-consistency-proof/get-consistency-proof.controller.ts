import { Controller, Get, Query as QueryParams } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SignedCheckpoint } from '@ledger/integrity';
import { AuditedRead } from '../../audit/shared/audited-read.decorator';
import { Roles } from '../../platform/http/request-context';
import { ApiProblemResponse } from '../../platform/openapi/api-problem-response.decorator';
import { ProblemException } from '../../platform/problem/problem.exception';
import { checkpointOfSize } from '../checkpoint-lookup';
import { NotaryService } from '../notary.service';
import { GetConsistencyProofQueryDto } from './get-consistency-proof.dto';
import { responseBody } from '../../platform/openapi/api-response-bodies';

export interface ConsistencyProofBundle {
  kind: 'consistency';
  first: SignedCheckpoint;
  second: SignedCheckpoint;
  proof: string[];
}

@ApiTags('integrity')
@ApiBearerAuth()
@Controller('integrity/proofs/consistency')
export class GetConsistencyProofController {
  constructor(private readonly notary: NotaryService) {}

  @Get()
  @Roles('auditor')
  @AuditedRead('consistency-proof')
  @ApiOperation({
    summary: 'Proof that a later checkpoint extends an earlier one (RFC 9162 consistency proof)',
    description: 'Shows that nothing signed in the first checkpoint was changed or removed by the time of the second.',
  })
  @ApiOkResponse({ description: 'A consistency proof bundle', ...responseBody('ConsistencyProofBundle') })
  @ApiProblemResponse(404, 'No checkpoint of that tree size')
  @ApiProblemResponse(400, '`first` is larger than `second`')
  async prove(@QueryParams() q: GetConsistencyProofQueryDto): Promise<ConsistencyProofBundle> {
    const first = await checkpointOfSize(this.notary, q.first, 'first');
    const second = await checkpointOfSize(this.notary, q.second, 'second');
    if (first.treeSize > second.treeSize) {
      throw new ProblemException(400, 'invalid-range', '`first` must not be a larger tree than `second`', { field: 'first' });
    }
    await this.notary.caughtUpTo(BigInt(second.lastPosition));
    return {
      kind: 'consistency',
      first,
      second,
      proof: this.notary.consistencyProof(first.treeSize, second.treeSize).map((hash) => hash.toString('hex')),
    };
  }
}
