import { gradeText, minGradeQuery, parseCredibility, parseReliability } from './min-grade';

describe("the incident page's minimum grade", () => {
  it('sends only the scales chosen', () => {
    expect(minGradeQuery({})).toEqual({});
    expect(minGradeQuery({ minReliability: 'B' })).toEqual({ minReliability: 'B' });
    expect(minGradeQuery({ minReliability: undefined, minCredibility: 2 })).toEqual({ minCredibility: 2 });
  });

  it('reads the selects: "" is any, and nothing off the scales passes', () => {
    expect(parseReliability('')).toBeUndefined();
    expect(parseReliability('C')).toBe('C');
    expect(parseReliability('G')).toBeUndefined();
    expect(parseCredibility('3')).toBe(3);
    expect(parseCredibility('7')).toBeUndefined();
  });

  it('names a grade in the analysts’ words', () => {
    expect(gradeText({ reliability: 'B', credibility: 2 })).toBe('B2 (usually reliable, probably true)');
    expect(gradeText(null)).toBe('ungraded');
  });
});
