import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { VerificationReport } from '@ledger/integrity';
import { LedgerVerifier } from '@ledger/read-models';
import { AuditedRead } from '../../audit/shared/audited-read.decorator';
import { Roles } from '../../platform/http/request-context';
import { NotaryService } from '../notary.service';
import { responseBody } from '../../platform/openapi/api-response-bodies';

@ApiTags('integrity')
@ApiBearerAuth()
@Controller('integrity/verify')
export class VerifyLedgerController {
  constructor(
    private readonly notary: NotaryService,
    private readonly verifier: LedgerVerifier,
  ) {}

  @Get()
  @Roles('auditor')
  @AuditedRead('verify')
  @ApiOperation({
    summary: 'Verify every stream chain and every checkpoint',
    description:
      "Recomputes each event's hash and its link to the previous event of its stream, checks revisions are contiguous, then each checkpoint's signature, Merkle root, last position and stream heads. `ok` is false when anything fails; `firstFailure` names the earliest event or checkpoint that fails and why. " +
      'A request that arrives while a verify runs gets that verify\'s report.',
  })
  @ApiOkResponse({ description: 'A verification report', ...responseBody('VerificationReport') })
  verify(): Promise<VerificationReport> {
    // Whoever asks while a verify runs gets its report: N auditors asking at once cost one walk of the log, not N.
    // The walk keeps what grows with the log in a file in the data directory; in the built API it runs in a thread of its own.
    this.running ??= this.verifier.verify(new Map([[this.notary.key.keyId, this.notary.key.publicKey]])).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private running: Promise<VerificationReport> | undefined;
}
