import { AmendEntryDto } from '../../apps/ledger-api/src/amendments/amend-entry/amend-entry.dto';
import { CorrectClaimDto } from '../../apps/ledger-api/src/claims/correct-claim/correct-claim.dto';
import { DenyClaimDto } from '../../apps/ledger-api/src/claims/deny-claim/deny-claim.dto';
import { MakeClaimDto } from '../../apps/ledger-api/src/claims/make-claim/make-claim.dto';
import { ReportIncidentDto } from '../../apps/ledger-api/src/incidents/report-incident/report-incident.dto';
import { RegisterPartyDto } from '../../apps/ledger-api/src/parties/register-party/register-party.dto';

/** The request DTO of each write action of the demo scenario, for specs that run its bodies through validation. */
export const SCENARIO_WRITE_DTOS: Record<string, new () => object> = {
  registerParty: RegisterPartyDto,
  reportIncident: ReportIncidentDto,
  makeClaim: MakeClaimDto,
  denyClaim: DenyClaimDto,
  correctClaim: CorrectClaimDto,
  amendEntry: AmendEntryDto,
};
