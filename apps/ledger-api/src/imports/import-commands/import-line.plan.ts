import { ICommand } from '@nestjs/cqrs';
import {
  ClaimMadeData,
  ClaimRetractedData,
  CorrectClaim,
  DenyClaim,
  EntryAmendedData,
  IncidentReportedData,
  PartyRegisteredData,
  incidentStream,
  partyStream,
} from '@ledger/domain';
import { AmendEntryCommand } from '../../amendments/amend-entry/amend-entry.command';
import { AmendEntryDto } from '../../amendments/amend-entry/amend-entry.dto';
import { CorrectClaimCommand } from '../../claims/correct-claim/correct-claim.command';
import { CorrectClaimDto } from '../../claims/correct-claim/correct-claim.dto';
import { DenyClaimCommand } from '../../claims/deny-claim/deny-claim.command';
import { DenyClaimDto } from '../../claims/deny-claim/deny-claim.dto';
import { GradeSourceCommand, GradeSourceRequest } from '../../claims/grade-source/grade-source.command';
import { GradeSourceDto } from '../../claims/grade-source/grade-source.dto';
import { MakeClaimCommand } from '../../claims/make-claim/make-claim.command';
import { MakeClaimDto } from '../../claims/make-claim/make-claim.dto';
import { RetractClaimCommand } from '../../claims/retract-claim/retract-claim.command';
import { RetractClaimDto } from '../../claims/retract-claim/retract-claim.dto';
import { ReportIncidentCommand } from '../../incidents/report-incident/report-incident.command';
import { ReportIncidentDto } from '../../incidents/report-incident/report-incident.dto';
import { CommandContext } from '../../application/command-context';
import { toPlain } from '../../platform/http/dto/plain';
import { entityId, requestHash } from '../../application/idempotency';
import { RegisterPartyCommand } from '../../parties/register-party/register-party.command';
import { RegisterPartyDto } from '../../parties/register-party/register-party.dto';
import { RequestValidationException } from '../../platform/problem/validation.pipe';
import { ImportAction, ImportLine } from './import-line';

/**
 * Ids of what import lines create, derived from the principal and the line
 * key, so that a key names the same entity in every run and in later files.
 *
 * Idempotency scope. An HTTP Idempotency-Key may be sent to any route, so the
 * HTTP path binds it to its first request in a reservation stream
 * (`idempotency-<uuid>`, one more event per command). An import line cannot
 * jump streams the same way, because the key scope below includes the stream
 * the line writes (party-<id>, or incident-<id> with the incident id itself
 * derived from the reportIncident line's key): the executor's deterministic
 * event ids and the request hash in the first event's metadata then find a
 * replay, or refuse a key reused for another line, on that stream; a line
 * reusing a key on another stream gets other ids and cannot collide with it
 * (claim ids, event ids stay unique); within one import a Map of keys refuses
 * any second use outright. So 1,000,000 lines cost 1,000,000 commands'
 * events and no reservations.
 */
const IMPORT_SCOPE = 'import';
const never = (): string => {
  throw new Error('an import line always has a key');
};

export const importedIncidentId = (principal: string, key: string): string =>
  entityId({ principal, idempotencyKey: `${IMPORT_SCOPE}:${key}` }, 'incident', never);

/** The Idempotency-Key the executor sees for a line: stored as `idempotencyKey` in the events' metadata. */
export const importIdempotencyKey = (stream: string, key: string): string => `${IMPORT_SCOPE}:${stream}:${key}`;

const inIncident = (principal: string, incidentId: string, key: string, kind: 'claim' | 'denial' | 'amendment'): string =>
  entityId({ principal, idempotencyKey: importIdempotencyKey(incidentStream(incidentId), key) }, kind, never);

export const importedClaimId = (principal: string, incidentId: string, key: string): string => inIncident(principal, incidentId, key, 'claim');
export const importedDenialId = (principal: string, incidentId: string, key: string): string => inIncident(principal, incidentId, key, 'denial');

/** A reference to another line by key, checked against the import's own lines before the command runs. */
export interface KeyReference {
  member: 'incident' | 'claim' | 'denial' | 'answers';
  key: string;
  /** The action the referenced line must have. */
  action: ImportAction;
}

/** Everything the importer needs to run one line through the same DTO, handler and executor as its HTTP route. */
export interface LinePlan {
  stream: string;
  /** The equivalent HTTP route, part of the request hash. */
  path: string;
  dto: new () => object;
  /** The body as validated and hashed: the line's body with its key references filled in. */
  body: Record<string, unknown>;
  references: KeyReference[];
  /** The line's own ids (incidentId, claimId, denialId, amendmentId, partyId) for the summary. */
  ids: Record<string, string>;
  command(dto: object, ctx: CommandContext): ICommand;
}

const claimRefs = (line: ImportLine, incidentId: string, principal: string): { claimId: string; refs: KeyReference[] } =>
  line.claim !== undefined
    ? { claimId: importedClaimId(principal, incidentId, line.claim), refs: [{ member: 'claim', key: line.claim, action: 'makeClaim' }] }
    : { claimId: line.claimId!, refs: [] };

const incidentOf = (line: ImportLine, principal: string): { incidentId: string; refs: KeyReference[] } =>
  line.incident !== undefined
    ? { incidentId: importedIncidentId(principal, line.incident), refs: [{ member: 'incident', key: line.incident, action: 'reportIncident' }] }
    : { incidentId: line.incidentId!, refs: [] };

/** Merges line-level references into the body, refusing a value given twice. */
const withEntryRef = (body: Record<string, unknown>, member: 'claim' | 'denial', field: 'claimId' | 'denialId', id: string) => {
  const entry = body.entry;
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return body;
  if ((entry as Record<string, unknown>)[field] !== undefined) {
    throw new RequestValidationException([{ field: member, messages: [`${member} and body.entry.${field} name the entry twice; give one`] }]);
  }
  return { ...body, entry: { ...entry, [field]: id } };
};

type Planner = (line: ImportLine, principal: string) => LinePlan;

const registerPartyPlan: Planner = (line) => {
  const { body } = line;
  const partyId = typeof body.partyId === 'string' ? body.partyId : '';
  return {
    stream: partyStream(partyId),
    path: '/parties',
    dto: RegisterPartyDto,
    body,
    references: [],
    ids: { partyId },
    command: (dto, ctx) => new RegisterPartyCommand(toPlain<PartyRegisteredData>({ aliases: [], ...dto }), ctx),
  };
};

const reportIncidentPlan: Planner = (line, principal) => {
  const { body } = line;
  const incidentId = importedIncidentId(principal, line.key);
  return {
    stream: incidentStream(incidentId),
    path: '/incidents',
    dto: ReportIncidentDto,
    body,
    references: [],
    ids: { incidentId },
    command: (dto, ctx) => new ReportIncidentCommand(toPlain<IncidentReportedData>({ incidentId, ...dto }), ctx),
  };
};

const makeClaimPlan: Planner = (line, principal) => {
  const { body } = line;
  const { incidentId, refs } = incidentOf(line, principal);
  const claimId = importedClaimId(principal, incidentId, line.key);
  const answered = (line.answers ?? []).map((key) => importedClaimId(principal, incidentId, key));
  const merged =
    answered.length > 0 && (body.answers === undefined || Array.isArray(body.answers))
      ? { ...body, answers: [...((body.answers as unknown[] | undefined) ?? []), ...answered] }
      : body;
  return {
    stream: incidentStream(incidentId),
    path: `/incidents/${incidentId}/claims`,
    dto: MakeClaimDto,
    body: merged,
    references: [...refs, ...(line.answers ?? []).map((key): KeyReference => ({ member: 'answers', key, action: 'makeClaim' }))],
    ids: { incidentId, claimId },
    command: (dto, ctx) =>
      new MakeClaimCommand(toPlain<ClaimMadeData>({ incidentId, claimId, answers: [], assertions: {}, supersedes: [], ...dto }), ctx),
  };
};

const denyClaimPlan: Planner = (line, principal) => {
  const { body } = line;
  const incident = incidentOf(line, principal);
  const { incidentId } = incident;
  const claim = claimRefs(line, incidentId, principal);
  const { claimId } = claim;
  const denialId = importedDenialId(principal, incidentId, line.key);
  return {
    stream: incidentStream(incidentId),
    path: `/incidents/${incidentId}/claims/${claimId}/denials`,
    dto: DenyClaimDto,
    body,
    references: [...incident.refs, ...claim.refs],
    ids: { incidentId, claimId, denialId },
    command: (dto, ctx) =>
      new DenyClaimCommand(toPlain<DenyClaim['data']>({ incidentId, claimId, denialId, deniedAssertions: [], ...dto }), ctx),
  };
};

const claimChangePlan: Planner = (line, principal) => {
  const { body } = line;
  const incident = incidentOf(line, principal);
  const { incidentId } = incident;
  const claim = claimRefs(line, incidentId, principal);
  const { claimId } = claim;
  const correct = line.action === 'correctClaim';
  return {
    stream: incidentStream(incidentId),
    path: `/incidents/${incidentId}/claims/${claimId}/${correct ? 'corrections' : 'retraction'}`,
    dto: correct ? CorrectClaimDto : RetractClaimDto,
    body,
    references: [...incident.refs, ...claim.refs],
    ids: { incidentId, claimId },
    command: (dto, ctx) =>
      correct
        ? new CorrectClaimCommand(toPlain<CorrectClaim['data']>({ incidentId, claimId, ...dto }), ctx)
        : new RetractClaimCommand(toPlain<ClaimRetractedData>({ incidentId, claimId, ...dto }), ctx),
  };
};

const gradeSourcePlan: Planner = (line, principal) => {
  const incident = incidentOf(line, principal);
  const { incidentId } = incident;
  const claim = claimRefs(line, incidentId, principal);
  const { claimId } = claim;
  return {
    stream: incidentStream(incidentId),
    path: `/incidents/${incidentId}/claims/${claimId}/grades`,
    dto: GradeSourceDto,
    body: line.body,
    references: [...incident.refs, ...claim.refs],
    ids: { incidentId, claimId },
    command: (dto, ctx) => new GradeSourceCommand(toPlain<GradeSourceRequest>({ incidentId, claimId, ...dto }), ctx),
  };
};

const amendEntryPlan: Planner = (line, principal) => {
  const { body } = line;
  const incident = incidentOf(line, principal);
  const { incidentId } = incident;
  const references = [...incident.refs];
  let amended = body;
  if (line.claim !== undefined || line.claimId !== undefined) {
    const claim = claimRefs(line, incidentId, principal);
    references.push(...claim.refs);
    amended = withEntryRef(body, 'claim', 'claimId', claim.claimId);
  } else if (line.denial !== undefined) {
    references.push({ member: 'denial', key: line.denial, action: 'denyClaim' });
    amended = withEntryRef(body, 'denial', 'denialId', importedDenialId(principal, incidentId, line.denial));
  }
  const amendmentId = inIncident(principal, incidentId, line.key, 'amendment');
  return {
    stream: incidentStream(incidentId),
    path: `/incidents/${incidentId}/amendments`,
    dto: AmendEntryDto,
    body: amended,
    references,
    ids: { incidentId, amendmentId },
    command: (dto, ctx) => new AmendEntryCommand(toPlain<EntryAmendedData>({ incidentId, amendmentId, ...dto }), ctx),
  };
};

/**
 * Maps a parsed line to its command exactly as the route's controller does (same defaults, same id kinds), with ids
 * derived from the line key. One planner per action: an action added without one fails to compile.
 */
const PLANNERS: { [A in ImportLine['action']]: Planner } = {
  registerParty: registerPartyPlan,
  reportIncident: reportIncidentPlan,
  makeClaim: makeClaimPlan,
  denyClaim: denyClaimPlan,
  correctClaim: claimChangePlan,
  retractClaim: claimChangePlan,
  gradeSource: gradeSourcePlan,
  amendEntry: amendEntryPlan,
};

export const planLine = (line: ImportLine, principal: string): LinePlan => PLANNERS[line.action](line, principal);

/** The digest the executor compares on a replay: the same as the equivalent HTTP request's. */
export const lineRequestHash = (plan: Pick<LinePlan, 'path' | 'body'>): string => requestHash('POST', plan.path, plan.body);
