import { diffValues } from './field-diff';

describe('diffValues', () => {
  it('names changed leaves by path, with null for absent values', () => {
    const from = { statement: { text: 'a', verbatim: true }, assertions: { casualties: [{ side: 'x', killed: { best: 2 } }] } };
    const to = {
      statement: { text: 'b', verbatim: true },
      assertions: { casualties: [{ side: 'x', killed: { best: 1 } }, { side: 'y' }], responsibleParties: ['z'] },
    };
    expect(diffValues(from, to)).toEqual([
      { path: 'statement.text', from: 'a', to: 'b' },
      { path: 'assertions.casualties[0].killed.best', from: 2, to: 1 },
      { path: 'assertions.casualties[1]', from: null, to: { side: 'y' } },
      { path: 'assertions.responsibleParties', from: null, to: ['z'] },
    ]);
  });

  it('finds nothing between equal values', () => {
    expect(diffValues({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toEqual([]);
  });
});
