import type { ICommand } from '@nestjs/cqrs';
import { DomainError, LedgerEvent } from '@ledger/domain';
import { StoreUnavailableError } from '@ledger/event-store';
import { MakeClaimCommand } from '../../claims/make-claim/make-claim.command';
import { DenyClaimCommand } from '../../claims/deny-claim/deny-claim.command';
import { AmendEntryCommand } from '../../amendments/amend-entry/amend-entry.command';
import { ReportIncidentCommand } from '../../incidents/report-incident/report-incident.command';
import { StreamCommandResult } from '../../application/stream-command.executor';
import { RegisterPartyCommand } from '../../parties/register-party/register-party.command';
import { importedClaimId, importedIncidentId } from './import-line.plan';
import { ImportAbortedError, ImportRun, ImportSummary } from './import-run';

const PRINCIPAL = 'test-recorder';
const party = (key: string, partyId: string) => ({ key, action: 'registerParty', body: { partyId, name: partyId, kind: 'state' } });
const incident = (key: string) => ({
  key,
  action: 'reportIncident',
  body: { title: 'T', summary: '', occurred: { from: '2019-05-30', to: '2019-05-31', precision: 'day' }, location: { name: 'L', precision: 'region' }, category: { eventType: 'explosions-remote-violence', subEventType: 'shelling-artillery-missile-attack', tags: [] } },
});
const utterance = (partyId: string) => ({
  partyId,
  statement: { text: 'Said.', verbatim: false },
  statedAt: { at: '2019-05-31', precision: 'day' },
  source: { title: 'Release', publisher: 'Ministry' },
});
const claim = (key: string, incidentKey: string, extra: object = {}) => ({ key, action: 'makeClaim', incident: incidentKey, body: utterance('az'), ...extra });
const ndjson = (...lines: unknown[]) => lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n');

interface Harness {
  commands: ICommand[];
  summary: ImportSummary;
}

const run = async (
  body: string,
  refuse: (command: ICommand) => Error | undefined = () => undefined,
  delayMs: (command: ICommand) => number = () => 0,
): Promise<Harness> => {
  const commands: ICommand[] = [];
  let position = 0n;
  const dispatch = async (command: ICommand): Promise<StreamCommandResult> => {
    await new Promise((resolve) => setTimeout(resolve, delayMs(command)));
    const refusal = refuse(command);
    if (refusal) throw refusal;
    commands.push(command);
    position += 1n;
    return { streamName: 's', revision: 0n, position, events: [{} as LedgerEvent], replayed: false };
  };
  const summary = await new ImportRun({ principal: PRINCIPAL, correlationId: 'c', dispatch, limits: { maxLineBytes: 10_000, maxTotalBytes: 0 } }).run([body]);
  return { commands, summary };
};

describe('ImportRun: references between lines', () => {
  it('derives ids from the principal and the keys, so a later file names the same entities', async () => {
    const { commands, summary } = await run(
      ndjson(party('p', 'az'), incident('inc'), claim('c1', 'inc'), claim('c2', 'inc', { answers: ['c1'] }), {
        key: 'd1',
        action: 'denyClaim',
        incident: 'inc',
        claim: 'c1',
        body: utterance('az'),
      }),
    );
    expect(summary.errors).toEqual([]);
    expect(summary).toMatchObject({ lines: 5, imported: 5, failed: 0, eventsAppended: 5, lastPosition: '5' });
    const incidentId = importedIncidentId(PRINCIPAL, 'inc');
    const c1 = importedClaimId(PRINCIPAL, incidentId, 'c1');
    expect((commands[1] as ReportIncidentCommand).data.incidentId).toBe(incidentId);
    expect((commands[2] as MakeClaimCommand).data).toMatchObject({ incidentId, claimId: c1, answers: [], assertions: {} });
    expect((commands[3] as MakeClaimCommand).data.answers).toEqual([c1]);
    expect((commands[4] as DenyClaimCommand).data).toMatchObject({ incidentId, claimId: c1, deniedAssertions: [] });
    expect(commands[2].constructor).toBe(MakeClaimCommand);

    const later = await run(ndjson({ key: 'd2', action: 'denyClaim', incident: 'inc', claim: 'c1', body: utterance('az') }));
    expect((later.commands[0] as DenyClaimCommand).data).toMatchObject({ incidentId, claimId: c1 });
    expect(importedIncidentId('someone-else', 'inc')).not.toBe(incidentId);
  });

  it('fills an amended claim from the line reference, and refuses it named twice', async () => {
    const entry = (claimId?: string) => ({ kind: 'claim', version: 1, ...(claimId ? { claimId } : {}) });
    const body = { entry: entry(), changes: { statement: { text: 'Fixed.', verbatim: false } }, reason: 'Typo' };
    const { commands, summary } = await run(
      ndjson(
        incident('inc'),
        claim('c1', 'inc'),
        { key: 'a1', action: 'amendEntry', incident: 'inc', claim: 'c1', body },
        { key: 'a2', action: 'amendEntry', incident: 'inc', claim: 'c1', body: { ...body, entry: entry(importedIncidentId(PRINCIPAL, 'x')) } },
      ),
    );
    const incidentId = importedIncidentId(PRINCIPAL, 'inc');
    expect((commands[2] as AmendEntryCommand).data.entry).toEqual({ kind: 'claim', version: 1, claimId: importedClaimId(PRINCIPAL, incidentId, 'c1') });
    expect(summary.errors).toEqual([expect.objectContaining({ line: 4, key: 'a2', status: 400, errors: [expect.objectContaining({ field: 'claim' })] })]);
  });

  it('fails a line that refers to a failed line, or to a line of another kind, and keeps going', async () => {
    const { commands, summary } = await run(
      ndjson(
        { ...incident('inc'), body: { title: '' } },
        claim('c1', 'inc'),
        incident('inc2'),
        claim('c2', 'inc2'),
        { key: 'd1', action: 'denyClaim', incident: 'inc2', claim: 'inc2', body: utterance('az') },
        claim('c3', 'c2'),
        claim('c4', 'inc2'),
      ),
    );
    expect(summary).toMatchObject({ lines: 7, imported: 3, failed: 4 });
    expect(summary.errors.map((e) => [e.line, e.key, e.status, e.code, e.field ?? e.errors])).toEqual([
      [1, 'inc', 400, 'validation-failed', expect.arrayContaining([expect.objectContaining({ field: 'summary' })])],
      [2, 'c1', 422, 'reference-failed', 'incident'],
      [5, 'd1', 400, 'validation-failed', [{ field: 'claim', messages: [expect.stringContaining('inc2 is line 3, a reportIncident')] }]],
      [6, 'c3', 400, 'validation-failed', [{ field: 'incident', messages: [expect.stringContaining('c2 is line 4, a makeClaim')] }]],
    ]);
    expect(commands.map((c) => c.constructor)).toEqual([ReportIncidentCommand, MakeClaimCommand, MakeClaimCommand]);
  });

  it('refuses a second line with a key already used in the import, whatever it says', async () => {
    const { summary } = await run(ndjson(incident('inc'), incident('inc'), claim('inc', 'inc')));
    expect(summary.errors.map((e) => [e.line, e.code, e.field])).toEqual([
      [2, 'duplicate-key', 'key'],
      [3, 'duplicate-key', 'key'],
    ]);
  });

  it('reports a refusal by a ledger rule as the route would, naming the line member at fault', async () => {
    const { summary } = await run(ndjson(claim('c1', 'nowhere')), () => new DomainError('incident-not-found', 'No incident', 'not-found', 'incidentId'));
    expect(summary.errors).toEqual([
      expect.objectContaining({
        line: 1,
        key: 'c1',
        status: 404,
        code: 'incident-not-found',
        field: 'incident',
        detail: expect.stringContaining('nowhere is not the key of an earlier line of this import'),
        type: 'https://incident-ledger.dev/problems/incident-not-found',
      }),
    ]);
  });

  it('runs party registrations before any later line, and lines of one incident in file order', async () => {
    const order: string[] = [];
    const record = (command: ICommand) => {
      if (command instanceof RegisterPartyCommand) order.push(`party:${command.data.partyId}`);
      else if (command instanceof MakeClaimCommand) order.push(command.data.statement.text);
      else order.push('incident');
      return undefined;
    };
    const lines: object[] = [party('p1', 'az'), party('p2', 'am'), incident('inc')];
    for (let i = 0; i < 20; i++) lines.push({ ...claim(`c${i}`, 'inc'), body: { ...utterance('az'), statement: { text: `${i}`, verbatim: false } } });
    // Without the ordering, the slow first registration and the slow early claims would finish last.
    const slowEarly = (command: ICommand) =>
      command instanceof RegisterPartyCommand ? (command.data.partyId === 'az' ? 30 : 0) : command instanceof MakeClaimCommand ? 20 - Number(command.data.statement.text) : 0;
    await run(ndjson(...lines), record, slowEarly);
    expect(order.slice(0, 2)).toEqual(['party:az', 'party:am']);
    expect(order.slice(3)).toEqual(Array.from({ length: 20 }, (_, i) => `${i}`));
  });

  it('reads no further than one batch ahead of the lines it has stored, and commits each batch once', async () => {
    let pulled = 0;
    let stored = 0;
    let held = 0;
    const commits: number[] = [];
    async function* source() {
      for (let i = 0; i < 50; i++) {
        pulled += 1;
        yield `${JSON.stringify(incident(`inc-${i}`))}\n`;
      }
    }
    const dispatch = async (): Promise<StreamCommandResult> => ({ streamName: 's', revision: 0n, position: 1n, events: [], replayed: false });
    const batcher = {
      hold: <T>(_ctx: unknown, run: () => Promise<T>) => {
        held += 1;
        expect(pulled - stored).toBeLessThanOrEqual(5);
        return run();
      },
      commit: async () => {
        commits.push(held);
        stored += held;
        held = 0;
      },
    };
    const summary = await new ImportRun({ principal: PRINCIPAL, correlationId: 'c', dispatch, batcher, limits: { maxLineBytes: 10_000, maxTotalBytes: 0 }, batchLines: 5 }).run(source());
    expect(summary.imported).toBe(50);
    expect(commits).toEqual(Array.from({ length: 10 }, () => 5));
  });

  it('stops reading when the store fails, and says what was done before', async () => {
    let calls = 0;
    const attempt = run(ndjson(incident('a'), incident('b'), incident('c'), incident('d')), () => (++calls === 2 ? new StoreUnavailableError('down') : undefined));
    const error = await attempt.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImportAbortedError);
    expect((error as ImportAbortedError).summary).toMatchObject({ imported: 1, lines: 2 });
  });
});
