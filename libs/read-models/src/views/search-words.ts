/** At most this many words of a search are used: each costs a LIKE over the rows searched. */
export const MAX_SEARCH_WORDS = 8;

/** The words of a search box, blanks dropped. */
export const searchWords = (search: string | undefined): string[] => (search ?? '').split(/\s+/).filter(Boolean).slice(0, MAX_SEARCH_WORDS);

/** A word as a LIKE pattern (with `ESCAPE '\'`) matching it anywhere, its own % and _ taken literally. */
export const containsPattern = (word: string): string => `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
