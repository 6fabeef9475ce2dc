import { CLAIM, INCIDENT_ID, envelopesOf, grading, seedArticleScenario } from '@ledger/read-models/testing/seed-article.fixture';
import { CliError, EXIT } from '../ledger-files';
import { formatVersions, minGradeFromOptions, versionsAsOf } from './versions.command';

describe('versions --min-reliability / --min-credibility', () => {
  it('reads the two scales as the API does', () => {
    expect(minGradeFromOptions({})).toEqual({});
    expect(minGradeFromOptions({ minReliability: 'B', minCredibility: '2' })).toEqual({ minReliability: 'B', minCredibility: 2 });
  });

  it.each([[{ minReliability: 'G' }], [{ minReliability: 'b' }], [{ minCredibility: '7' }], [{ minCredibility: '1.5' }]])('refuses %j as a usage error', (options) => {
    expect(() => minGradeFromOptions(options)).toThrow(CliError);
    try {
      minGradeFromOptions(options);
    } catch (error) {
      expect((error as CliError).exitCode).toBe(EXIT.usage);
    }
  });

  it('counts only the claims graded at least so well, and says so', () => {
    const log = { envelopes: envelopesOf([...seedArticleScenario(), grading(CLAIM.karabakhArmy, 1, 'B3')]), names: new Map() };
    const result = versionsAsOf(INCIDENT_ID, log as never, undefined, { minReliability: 'B' });
    expect(result.parties.flatMap((p) => p.claims.map((c) => c.claimId))).toEqual([CLAIM.karabakhArmy]);
    const text = formatVersions(result, new Map());
    expect(text).toContain('Counting only claims graded at least B (ungraded claims left out)');
    expect(text).toContain(`${CLAIM.karabakhArmy} v1, stated 2019-06-01 (day), graded B3`);
  });
});
