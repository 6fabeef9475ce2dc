/** The Admiralty scales as the ledger grades claim versions (best first), with the words analysts use. */
export const RELIABILITIES = [
  ['A', 'completely reliable'],
  ['B', 'usually reliable'],
  ['C', 'fairly reliable'],
  ['D', 'not usually reliable'],
  ['E', 'unreliable'],
  ['F', 'cannot be judged'],
] as const;
export const CREDIBILITIES = [
  [1, 'confirmed'],
  [2, 'probably true'],
  [3, 'possibly true'],
  [4, 'doubtful'],
  [5, 'improbable'],
  [6, 'cannot be judged'],
] as const;

export type Reliability = (typeof RELIABILITIES)[number][0];
export type Credibility = (typeof CREDIBILITIES)[number][0];

/** The incident page's minimum grade; an absent scale is not filtered on. */
export interface MinGrade {
  minReliability?: Reliability;
  minCredibility?: Credibility;
}

/** The query parameters of a minimum grade: only the scales chosen. */
export const minGradeQuery = (min: MinGrade): MinGrade => ({
  ...(min.minReliability !== undefined ? { minReliability: min.minReliability } : {}),
  ...(min.minCredibility !== undefined ? { minCredibility: min.minCredibility } : {}),
});

/** "B2 (usually reliable, probably true)", or "ungraded". */
export const gradeText = (grade: { reliability: string; credibility: number } | null | undefined): string => {
  if (!grade) return 'ungraded';
  const reliability = RELIABILITIES.find(([r]) => r === grade.reliability)?.[1] ?? '?';
  const credibility = CREDIBILITIES.find(([c]) => c === grade.credibility)?.[1] ?? '?';
  return `${grade.reliability}${grade.credibility} (${reliability}, ${credibility})`;
};

/** A select's value as a scale value: '' is "any". */
export const parseReliability = (value: string): Reliability | undefined => RELIABILITIES.find(([r]) => r === value)?.[0];
export const parseCredibility = (value: string): Credibility | undefined => CREDIBILITIES.find(([c]) => String(c) === value)?.[0];
