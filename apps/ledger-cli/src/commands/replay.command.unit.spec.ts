import { incidentStream } from '@ledger/domain';
import { namesFrom } from '../ledger-reads';
import {
  AMENDMENT,
  CLAIM,
  DENIAL,
  envelopesOf,
  INCIDENT_ID,
  incidentEntry,
  PARTY,
  seedArticleScenario,
} from '../../../../libs/read-models/src/testing/seed-article.fixture';
import { formatReplay, replayIncident } from './replay.command';

/** The seed article plus two more ledger amendments: of the incident's title, and of a denial. */
const entries = () => [
  ...seedArticleScenario(),
  incidentEntry({
    type: 'EntryAmended',
    data: { incidentId: INCIDENT_ID, amendmentId: 'amend-title', entry: { kind: 'incident' }, changes: { title: 'Deadly truce violations' }, reason: 'Typo in the title' },
  }),
  incidentEntry({
    type: 'EntryAmended',
    data: {
      incidentId: INCIDENT_ID,
      amendmentId: 'amend-denial',
      entry: { kind: 'denial', denialId: DENIAL.karabakhArmy },
      changes: { deniedAssertions: ['ceasefire'] },
      reason: 'The army denied the violation only',
    },
  }),
];

describe('replayIncident', () => {
  const all = envelopesOf(entries());
  const names = namesFrom(all);
  const log = { envelopes: all.filter((e) => e.streamName === incidentStream(INCIDENT_ID)), names };
  const replay = replayIncident(INCIDENT_ID, log, 'test log');

  it("shows each event of the incident's stream in order, with the party's name", () => {
    expect(replay.events.map((e) => e.index)).toEqual(log.envelopes.map((e) => Number(e.revision) + 1));
    const made = replay.events.find((e) => e.type === 'ClaimMade' && e.claimId === CLAIM.azDefence)!;
    expect(made.party).toEqual({ id: PARTY.azDefence, name: 'Ministry of Defence of Azerbaijan' });
    expect(made.statedAt).not.toBeNull();
  });

  it('gives a correction the diff the claim-history projection computes at that point of the log', () => {
    const correction = replay.events.find((e) => e.type === 'ClaimCorrected')!;
    expect(correction.changes!.length).toBeGreaterThan(0);
    expect(correction.changes!.every((c) => c.path !== '')).toBe(true);
  });

  it('diffs an amendment of the incident report against the report as it stood just before', () => {
    const title = replay.events.find((e) => e.amendmentId === 'amend-title')!;
    expect(title).toMatchObject({ party: null, amends: { kind: 'incident' }, amendedFields: ['title'], amendsPartyOf: null });
    expect(title.changes).toEqual([{ path: 'title', from: expect.any(String), to: 'Deadly truce violations' }]);
    expect(replay.title).toBe('Deadly truce violations');
  });

  it("says whose denial an amendment fixes, and what it changed in it; a claim's amendment likewise", () => {
    const denial = replay.events.find((e) => e.amendmentId === 'amend-denial')!;
    expect(denial.amendsPartyOf).toEqual({ id: PARTY.karabakhArmy, name: expect.any(String) });
    expect(denial.changes).toContainEqual({ path: 'deniedAssertions[1]', from: expect.any(String), to: null });
    const figure = replay.events.find((e) => e.amendmentId === AMENDMENT.karabakhFigure)!;
    expect(figure.amendsPartyOf?.id).toBe(PARTY.karabakhArmy);
    expect(figure.changes!.some((c) => c.path.startsWith('assertions.casualties'))).toBe(true);
  });

  it('marks corrections and amendments apart in the text', () => {
    const text = formatReplay(replay, names);
    expect(text).toContain('CORRECTION BY THE PARTY');
    expect(text.match(/LEDGER AMENDMENT/g)).toHaveLength(3);
    expect(text).toContain('title: ');
    expect(text).toContain('→ "Deadly truce violations"');
  });
});
