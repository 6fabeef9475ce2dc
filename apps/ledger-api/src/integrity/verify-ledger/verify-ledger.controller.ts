import { Controller, Get, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { EVENT_STORE, EventStore } from '@ledger/event-store';
import { VerificationReport, verifyEventStore } from '@ledger/integrity';
import { AuditedRead } from '../../audit/shared/audited-read.decorator';
import { Roles } from '../../platform/http/request-context';
import { NotaryService } from '../notary.service';
import { LEDGER_CONFIG, LedgerConfig } from '../../platform';
import { responseBody } from '../../platform/openapi/api-response-bodies';

/** Events hashed between two turns of the event loop while the API verifies (about 21 µs each). */
export const VERIFY_PAGE_EVENTS = 250;

@ApiTags('integrity')
@ApiBearerAuth()
@Controller('integrity/verify')
export class VerifyLedgerController {
  constructor(
    private readonly notary: NotaryService,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
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
    this.running ??= verifyEventStore(this.store, {
      publicKeys: new Map([[this.notary.key.keyId, this.notary.key.publicKey]]),
      // A verify walks the whole log: in the data directory, its memory does not grow with the log.
      scratchDirectory: this.config.dataDir,
      // Pages of about 5 ms of hashing, each followed by a turn of the event loop for everything else the API serves.
      pageSize: VERIFY_PAGE_EVENTS,
    }).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private running: Promise<VerificationReport> | undefined;
}
