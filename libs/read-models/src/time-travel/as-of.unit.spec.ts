import { LedgerEnvelope } from '../envelope';
import { AMENDMENT, CLAIM, DENIAL, INCIDENT_ID, PARTY, ScenarioEntry, amendment, claimMade, envelopesOf, recordedAtOf, seedArticleEnvelopes, seedArticleScenario } from '../testing/seed-article.fixture';
import { AsOf, AsOfError, compareAsOf, envelopesAsOf, parseAsOf, parseAsOfValue, parseClock } from './as-of';
import { statedBy, statedSpan } from './stated-time';

const at = (iso: string): number => Date.parse(iso);
const ids = (envelopes: LedgerEnvelope[]): string[] => envelopes.map((e) => e.eventId);
const describeEvent = (e: LedgerEnvelope): string => {
  const data = e.event.data as unknown as Record<string, string>;
  return `${e.event.type} ${data.denialId ?? data.amendmentId ?? data.claimId ?? data.partyId ?? data.incidentId}`;
};
const asOfError = (run: () => unknown): AsOfError => {
  try {
    run();
  } catch (error) {
    if (error instanceof AsOfError) return error;
    throw error;
  }
  throw new Error('expected an AsOfError');
};

describe('parseAsOf', () => {
  it('reads none of the three as "now"', () => {
    expect(parseAsOf({})).toBeUndefined();
  });

  it('normalises recorded and stated times to the instant they name, offsets applied', () => {
    expect(parseAsOf({ recordedAsOf: '2019-06-03T13:05:00+04:00' })).toEqual({ clock: 'recorded', at: '2019-06-03T09:05:00.000Z' });
    expect(parseAsOf({ statedAsOf: '2019-06-01T10:00:00Z' })).toEqual({ clock: 'stated', at: '2019-06-01T10:00:00.000Z' });
  });

  it('reads a bare date as the end of that UTC day: "as of 2019-06-01" includes all of it', () => {
    expect(parseAsOf({ statedAsOf: '2019-06-01' })).toEqual({ clock: 'stated', at: '2019-06-01T23:59:59.999Z' });
  });

  it('reads a position as a bigint, zero included', () => {
    expect(parseAsOf({ position: '12' })).toEqual({ clock: 'position', position: 12n });
    expect(parseAsOf({ position: '0' })).toEqual({ clock: 'position', position: 0n });
    expect(parseAsOf({ position: '18446744073709551615' })).toEqual({ clock: 'position', position: 18446744073709551615n });
  });

  it.each([
    [{ recordedAsOf: 'yesterday' }, 'recordedAsOf'],
    [{ recordedAsOf: '2019-06-03T09:00:00' }, 'recordedAsOf'], // no offset: the instant would depend on the server's zone
    [{ statedAsOf: '2019-02-30' }, 'statedAsOf'],
    [{ statedAsOf: '' }, 'statedAsOf'],
    [{ position: '-1' }, 'position'],
    [{ position: '1.5' }, 'position'],
    [{ position: 'abc' }, 'position'],
    [{ position: '' }, 'position'],
  ])('refuses %p naming %s', (input, field) => {
    const error = asOfError(() => parseAsOf(input));
    expect([error.field, error.fields]).toEqual([field, [field]]);
    expect(error.message).toContain(field);
  });

  it('refuses two clocks at once, naming both fields', () => {
    const error = asOfError(() => parseAsOf({ recordedAsOf: '2019-06-03', position: '3' }));
    expect(error.fields).toEqual(['recordedAsOf', 'position']);
    expect(error.field).toBe('position');
  });

  it('reads a clock name, recorded by default, and refuses others', () => {
    expect(parseClock(undefined)).toBe('recorded');
    expect(parseClock('stated')).toBe('stated');
    expect(asOfError(() => parseClock('valid')).field).toBe('clock');
  });

  it('names the bound at fault for from/to values', () => {
    expect(parseAsOfValue('position', '7', 'to')).toEqual({ clock: 'position', position: 7n });
    expect(asOfError(() => parseAsOfValue('stated', '2019-13-01', 'from')).field).toBe('from');
  });

  it('compares moments on one clock, as instants, and refuses to compare two clocks', () => {
    expect(compareAsOf({ clock: 'recorded', at: '2019-06-03T13:00:00+04:00' }, { clock: 'recorded', at: '2019-06-03T09:30:00Z' })).toBe(-1);
    expect(compareAsOf({ clock: 'position', position: 9n }, { clock: 'position', position: 9n })).toBe(0);
    expect(asOfError(() => compareAsOf({ clock: 'position', position: 9n }, { clock: 'stated', at: '2019-06-03' })).field).toBe('to');
  });
});

describe('stated time spans', () => {
  it('covers the whole day for a date, or for an instant stated to the day', () => {
    expect(statedSpan({ at: '2019-06-01', precision: 'day' })).toEqual({ start: at('2019-06-01T00:00:00Z'), end: at('2019-06-01T23:59:59.999Z') });
    expect(statedSpan({ at: '2019-06-01T10:00:00Z', precision: 'day' })).toEqual({ start: at('2019-06-01T00:00:00Z'), end: at('2019-06-01T23:59:59.999Z') });
  });

  it('takes the day in the offset the time is written with', () => {
    expect(statedSpan({ at: '2019-06-01T01:00:00+04:00', precision: 'day' })).toEqual({
      start: at('2019-05-31T20:00:00Z'),
      end: at('2019-06-01T19:59:59.999Z'),
    });
  });

  it('is the instant itself when exact, and the written form when approximate', () => {
    expect(statedSpan({ at: '2019-06-01T10:15:00+02:00', precision: 'exact' })).toEqual({ start: at('2019-06-01T08:15:00Z'), end: at('2019-06-01T08:15:00Z') });
    expect(statedSpan({ at: '2019-06-02', precision: 'approximate' })).toEqual({ start: at('2019-06-02T00:00:00Z'), end: at('2019-06-02T23:59:59.999Z') });
  });

  it('covers the ISO week (Monday to Sunday) for week precision, the calendar month for month precision', () => {
    // 2019-06-01 was a Saturday.
    expect(statedSpan({ at: '2019-06-01', precision: 'week' })).toEqual({ start: at('2019-05-27T00:00:00Z'), end: at('2019-06-02T23:59:59.999Z') });
    expect(statedSpan({ at: '2019-02-14', precision: 'month' })).toEqual({ start: at('2019-02-01T00:00:00Z'), end: at('2019-02-28T23:59:59.999Z') });
  });

  it('counts a statement as made only once its whole span has passed', () => {
    const day = { at: '2019-06-01', precision: 'day' } as const;
    expect(statedBy(day, at('2019-06-01T12:00:00Z'))).toBe(false);
    expect(statedBy(day, at('2019-06-01T23:59:59.998Z'))).toBe(false);
    expect(statedBy(day, at('2019-06-01T23:59:59.999Z'))).toBe(true);
    expect(statedBy({ at: '2019-06-01T12:00:00Z', precision: 'exact' }, at('2019-06-01T12:00:00Z'))).toBe(true);
    expect(statedBy({ at: 'not a time', precision: 'exact' }, Number.MAX_SAFE_INTEGER)).toBe(false);
  });
});

describe('envelopesAsOf', () => {
  const log = seedArticleEnvelopes();

  it.each(log.map((e, i) => [describeEvent(e), i]))('recorded clock: %s is out a millisecond before it was recorded, in from then on', (_name, i) => {
    const recordedAt = recordedAtOf(i as number);
    const justBefore = new Date(Date.parse(recordedAt) - 1).toISOString();
    expect(ids(envelopesAsOf(log, { clock: 'recorded', at: justBefore }))).toEqual(ids(log.slice(0, i as number)));
    expect(ids(envelopesAsOf(log, { clock: 'recorded', at: recordedAt }))).toEqual(ids(log.slice(0, (i as number) + 1)));
  });

  it('recorded clock: compares instants, not text, when the cut is written with an offset', () => {
    // 13:05 at +04:00 is 09:05Z, when the incident (index 5) was recorded.
    expect(envelopesAsOf(log, { clock: 'recorded', at: '2019-06-03T13:05:00+04:00' })).toHaveLength(6);
  });

  it.each(log.map((e, i) => [describeEvent(e), i]))('position clock: %s is in from its own position on', (_name, i) => {
    const position = log[i as number].position;
    expect(ids(envelopesAsOf(log, { clock: 'position', position: position - 1n }))).toEqual(ids(log.slice(0, i as number)));
    expect(ids(envelopesAsOf(log, { clock: 'position', position }))).toEqual(ids(log.slice(0, (i as number) + 1)));
  });

  describe('stated clock', () => {
    const stated = (iso: string) => envelopesAsOf(log, { clock: 'stated', at: iso }).map(describeEvent);
    const bookkeeping = log.slice(0, 6).map(describeEvent);

    // When each statement of the scenario was certainly made: the end of its stated span.
    const statements: Array<[string, string]> = [
      [`ClaimMade ${CLAIM.azDefence}`, '2019-05-30T23:59:59.999Z'], // 2019-05-30, to the day
      [`ClaimMade ${CLAIM.azForeign}`, '2019-05-31T23:59:59.999Z'], // 2019-05-31, approximately
      [`ClaimCorrected ${CLAIM.azDefence}`, '2019-05-31T23:59:59.999Z'],
      [`ClaimDenied ${DENIAL.karabakhArmy}`, '2019-06-01T23:59:59.999Z'],
      [`ClaimMade ${CLAIM.karabakhArmy}`, '2019-06-01T23:59:59.999Z'],
      [`ClaimMade ${CLAIM.amForeign}`, '2019-06-02T23:59:59.999Z'], // the week of 2019-06-01 ends on Sunday 2019-06-02
      [`ClaimDenied ${DENIAL.azForeign}`, '2019-06-02T23:59:59.999Z'],
      [`ClaimMade ${CLAIM.minskGroup}`, '2019-06-02T23:59:59.999Z'],
    ];

    it.each(statements)('%s is out a millisecond before its stated span ends, in from its end on', (name, end) => {
      expect(stated(new Date(Date.parse(end) - 1).toISOString())).not.toContain(name);
      expect(stated(end)).toContain(name);
    });

    it('always has the bookkeeping (parties, the incident), even before anything was said', () => {
      expect(stated('1900-01-01T00:00:00Z')).toEqual(bookkeeping);
    });

    it('brings in the amendment exactly with the entry it fixes', () => {
      const amendment = `EntryAmended ${AMENDMENT.karabakhFigure}`;
      expect(stated('2019-05-31')).not.toContain(amendment);
      expect(stated('2019-06-01')).toEqual([
        ...bookkeeping,
        `ClaimMade ${CLAIM.azDefence}`,
        `ClaimMade ${CLAIM.azForeign}`,
        `ClaimDenied ${DENIAL.karabakhArmy}`,
        `ClaimMade ${CLAIM.karabakhArmy}`,
        `ClaimCorrected ${CLAIM.azDefence}`,
        amendment,
      ]);
    });

    it('keeps the global order of the log, not the order of stated times', () => {
      expect(ids(envelopesAsOf(log, { clock: 'stated', at: '2019-06-02' }))).toEqual(ids(log));
    });

    const lateClaim: ScenarioEntry = claimMade(INCIDENT_ID, 'claim-late-az-defence', PARTY.azDefence, {
      statement: { text: 'Our positions came under fire overnight.', verbatim: false },
      statedAt: { at: '2019-05-29T22:00:00+04:00', precision: 'exact' },
    });

    it('has a statement made early but recorded late, which the recorded clock does not have at that date', () => {
      const withLate = envelopesOf([...seedArticleScenario(), lateClaim]);
      const name = 'ClaimMade claim-late-az-defence';
      // Recorded at 09:15 on 2019-06-03, after everything else; said at 18:00Z on 2019-05-29.
      expect(envelopesAsOf(withLate, { clock: 'stated', at: '2019-05-29T18:00:00Z' }).map(describeEvent)).toContain(name);
      expect(envelopesAsOf(withLate, { clock: 'stated', at: '2019-05-29T17:59:59Z' }).map(describeEvent)).not.toContain(name);
      expect(envelopesAsOf(withLate, { clock: 'recorded', at: '2019-05-29T18:00:00Z' })).toEqual([]);
      expect(envelopesAsOf(withLate, { clock: 'recorded', at: '2019-06-03T09:14:00Z' }).map(describeEvent)).not.toContain(name);
      expect(envelopesAsOf(withLate, { clock: 'recorded', at: '2019-06-03T09:15:00Z' }).map(describeEvent)).toContain(name);
    });

    it("places a statement at its amended stated time: a mistyped date fixed by the ledger moves it, and the amendment with it", () => {
      const fixDate = amendment('amendment-denial-date', { kind: 'denial', denialId: DENIAL.karabakhArmy }, { statedAt: { at: '2019-06-04', precision: 'day' } }, 'The army denied it on 4 June; 1 June was mistyped.');
      const amended = envelopesOf([...seedArticleScenario(), fixDate]);
      const asOf = (iso: string) => envelopesAsOf(amended, { clock: 'stated', at: iso }).map(describeEvent);
      expect(asOf('2019-06-03')).not.toContain(`ClaimDenied ${DENIAL.karabakhArmy}`);
      expect(asOf('2019-06-03')).not.toContain('EntryAmended amendment-denial-date');
      expect(asOf('2019-06-04')).toEqual(expect.arrayContaining([`ClaimDenied ${DENIAL.karabakhArmy}`, 'EntryAmended amendment-denial-date']));
    });
  });

  it('refuses a cut that is not a time rather than answering for a wrong one', () => {
    const cut: AsOf = { clock: 'recorded', at: 'soon' };
    expect(asOfError(() => envelopesAsOf(log, cut)).field).toBe('recordedAsOf');
  });
});
