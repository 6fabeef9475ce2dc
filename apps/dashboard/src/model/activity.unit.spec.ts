import { activityBars, byBucket, byParty } from './activity';

const row = (over: object) => ({ bucket: null, claims: 0, denials: 0, corrections: 0, retractions: 0, ...over });

describe("the dashboard's activity charts", () => {
  it('turn each statistics row into one bar segment per kind that happened, in the rows order', () => {
    const rows = [row({ bucket: '2019-05-01', claims: 2, corrections: 1 }), row({ bucket: '2019-06-01', claims: 3, denials: 2 })];
    expect(activityBars(rows, byBucket)).toEqual([
      { key: '2019-05-01', kind: 'claims', count: 2 },
      { key: '2019-05-01', kind: 'corrections', count: 1 },
      { key: '2019-06-01', kind: 'claims', count: 3 },
      { key: '2019-06-01', kind: 'denials', count: 2 },
    ]);
  });

  it('name a party by its registered name, and by its id while it is not registered', () => {
    const rows = [row({ partyId: 'az-mod', partyName: 'Ministry of Defence of Azerbaijan', claims: 1 }), row({ partyId: 'unregistered', partyName: null, denials: 1 })];
    expect(activityBars(rows, byParty)).toEqual([
      { key: 'Ministry of Defence of Azerbaijan', kind: 'claims', count: 1 },
      { key: 'unregistered', kind: 'denials', count: 1 },
    ]);
  });
});
