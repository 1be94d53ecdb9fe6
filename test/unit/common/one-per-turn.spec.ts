import { OnePerTurn } from '../../../src/common/one-per-turn';

describe('OnePerTurn', () => {
  it('runs queued jobs in order, one per turn of the event loop, with what was queued meanwhile in between', async () => {
    const queue = new OnePerTurn();
    const order: string[] = [];
    const done = new Promise<void>((resolve) => {
      queue.run(() => {
        order.push('first');
        // Work that arrives while the first job runs (here a callback of the next turn) runs before the second job.
        setImmediate(() => order.push('in between'));
      });
      queue.run(() => order.push('second'));
      queue.run(() => {
        order.push('third');
        resolve();
      });
    });
    expect(order).toEqual([]); // nothing runs in the caller's turn
    await done;
    expect(order).toEqual(['first', 'in between', 'second', 'third']);
  });
});
