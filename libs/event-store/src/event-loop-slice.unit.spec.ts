import { EventLoopSlice } from './event-loop-slice';

describe('EventLoopSlice', () => {
  it('is due once its time is spent, and starts again after a turn of the event loop', async () => {
    let clock = 100;
    const slice = new EventLoopSlice(8, () => clock);
    clock = 107.9;
    expect(slice.due).toBe(false);
    clock = 108;
    expect(slice.due).toBe(true);
    const order: string[] = [];
    setImmediate(() => order.push('a callback queued before the turn'));
    await slice.turn().then(() => order.push('turn'));
    expect(order).toEqual(['a callback queued before the turn', 'turn']);
    expect(slice.due).toBe(false);
    clock = 116;
    expect(slice.due).toBe(true);
  });

  it('is never due with an unbounded slice', () => {
    let clock = 0;
    const slice = new EventLoopSlice(Infinity, () => clock);
    clock = Number.MAX_SAFE_INTEGER;
    expect(slice.due).toBe(false);
  });
});
