import { cutsOf, entriesAsOf } from './as-of-cuts';

const entry = (position: string, recordedAt: string, statedAt: string | null) => ({ position, recordedAt, statedAt: statedAt ? { at: statedAt, precision: 'day' } : null }) as never;

describe("the dashboard's as-of slider stops", () => {
  const entries = [entry('16', '2026-01-01T00:00:01Z', null), entry('18', '2026-01-01T00:00:02Z', '2019-05-30'), entry('100', '2026-01-01T00:00:02Z', '2019-05-29')];

  it('steps through positions in numeric order', () => {
    expect(cutsOf([entries[2], entries[0], entries[1]], 'position').map((c) => c.query.position)).toEqual(['16', '18', '100']);
  });

  it('steps through distinct recorded moments', () => {
    expect(cutsOf(entries, 'recorded').map((c) => c.query.recordedAsOf)).toEqual(['2026-01-01T00:00:01Z', '2026-01-01T00:00:02Z']);
  });

  it('steps through stated times, oldest first, skipping entries stated at no time', () => {
    expect(cutsOf(entries, 'stated').map((c) => c.query.statedAsOf)).toEqual(['2019-05-29', '2019-05-30']);
  });

  it('keeps the entries known at a cut, on the cut\'s clock, for the charts that follow the slider', () => {
    const positions = (list: readonly { position: string }[]) => list.map((e) => e.position);
    expect(positions(entriesAsOf(entries, { position: '18' }))).toEqual(['16', '18']);
    expect(positions(entriesAsOf(entries, { recordedAsOf: '2026-01-01T00:00:01Z' }))).toEqual(['16']);
    // The entry stated at no time stays; of the statements, only those stated by the cut.
    expect(positions(entriesAsOf(entries, { statedAsOf: '2019-05-29' }))).toEqual(['16', '100']);
    expect(positions(entriesAsOf(entries, undefined))).toEqual(['16', '18', '100']);
  });
});
