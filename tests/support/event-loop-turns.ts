/**
 * A clock for EventLoopSlice that measures a loop's work by how often it is looked at (a millisecond a look), and a
 * heartbeat that counts turns of the event loop meanwhile: `longestWithoutATurn` is how many looks in a row the loop
 * made with no turn between them.
 */
export interface TurnsProbe {
  now: () => number;
  looks: number;
  longestWithoutATurn: number;
  stop: () => void;
}

export const probeTurns = (): TurnsProbe => {
  let turns = 0;
  let beating = true;
  const beat = () => {
    turns += 1;
    if (beating) setImmediate(beat);
  };
  setImmediate(beat);
  let clock = 0;
  const seen: number[] = [];
  return {
    now: () => {
      seen.push(turns);
      return (clock += 1);
    },
    get looks() {
      return seen.length;
    },
    get longestWithoutATurn() {
      let longest = 0;
      for (let i = 0, length = 0; i < seen.length; i++) longest = Math.max(longest, (length = i > 0 && seen[i] === seen[i - 1] ? length + 1 : 1));
      return longest;
    },
    stop: () => {
      beating = false;
    },
  };
};
