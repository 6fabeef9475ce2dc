import { Controller, Get, Inject, Query as QueryParams } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { EVENT_STORE, EventStore, RecordedEvent } from '@ledger/event-store';
import { ExportedEvent, exportedEvent, SignedCheckpoint } from '@ledger/integrity';
import { AuditedRead } from '../../audit/shared/audited-read.decorator';
import { Roles } from '../../platform/http/request-context';
import { ApiProblemResponse } from '../../platform/openapi/api-problem-response.decorator';
import { ProblemException } from '../../platform/problem/problem.exception';
import { LeafLocation, NotaryService } from '../notary.service';
import { checkpointOfSize } from '../checkpoint-lookup';
import { GetInclusionProofQueryDto } from './get-inclusion-proof.dto';
import { responseBody } from '../../platform/openapi/api-response-bodies';

export interface InclusionProofBundle {
  kind: 'inclusion';
  /** The event as an export line has it, its position beside it. */
  event: Omit<ExportedEvent, 'position'>;
  position: string;
  leafIndex: number;
  treeSize: number;
  auditPath: string[];
  checkpoint: SignedCheckpoint;
}

@ApiTags('integrity')
@ApiBearerAuth()
@Controller('integrity/proofs/inclusion')
export class GetInclusionProofController {
  constructor(
    private readonly notary: NotaryService,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  @Get()
  @Roles('auditor')
  @AuditedRead('inclusion-proof')
  @ApiOperation({
    summary: 'Proof that an event is in a signed checkpoint (RFC 9162 inclusion proof)',
    description:
      'The event as stored, its leaf index, the audit path and the signed checkpoint: `node tools/ledger-verifier/ledger-verifier.js inclusion proof.json --keys keys.json` checks it without the ledger.',
  })
  @ApiOkResponse({ description: 'An inclusion proof bundle', ...responseBody('InclusionProofBundle') })
  @ApiProblemResponse(404, 'No such ledger event, no such checkpoint, or the event is newer than the checkpoint')
  async prove(@QueryParams() q: GetInclusionProofQueryDto): Promise<InclusionProofBundle> {
    const checkpoint = await checkpointOfSize(this.notary, q.treeSize);
    await this.notary.caughtUpTo(BigInt(checkpoint.lastPosition));
    // The notary keeps a hash of each leaf's event id, not the id: the first candidate whose event has it is the leaf.
    let found: { location: LeafLocation; event: RecordedEvent } | undefined;
    for (const location of this.notary.candidates(q.eventId)) {
      const [event] = await this.store.readStream(location.streamName, { fromRevision: location.revision, maxCount: 1 });
      if (event?.eventId === q.eventId) {
        found = { location, event };
        break;
      }
    }
    if (!found) throw new ProblemException(404, 'not-found', `Event ${q.eventId} is not a ledger event`);
    const { location, event } = found;
    if (location.leafIndex >= checkpoint.treeSize) {
      throw new ProblemException(
        404,
        'not-in-checkpoint',
        `Event ${q.eventId} is leaf ${location.leafIndex}, after checkpoint tree size ${checkpoint.treeSize}: ask again after the next checkpoint`,
      );
    }
    const { position, ...stored } = exportedEvent(event);
    // The reads above let the notary run: should it have started over from the log's start meanwhile (its subscription
    // failed), the path is taken once it holds the checkpoint's leaves again.
    await this.notary.caughtUpTo(BigInt(checkpoint.lastPosition));
    return {
      kind: 'inclusion',
      event: stored,
      position,
      leafIndex: location.leafIndex,
      treeSize: checkpoint.treeSize,
      auditPath: this.notary.inclusionProof(location.leafIndex, checkpoint.treeSize).map((hash) => hash.toString('hex')),
      checkpoint,
    };
  }
}
