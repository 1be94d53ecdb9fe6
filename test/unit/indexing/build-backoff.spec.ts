import { BuildBackoff } from '../../../src/core/indexing/build-backoff';

describe('BuildBackoff', () => {
  it('lets a build run until it fails, then waits longer after each failure, up to 15 minutes', () => {
    const backoff = new BuildBackoff();
    expect(backoff.ready('index:t', 0)).toBe(true);
    const waits = Array.from({ length: 12 }, () => {
      const failure = backoff.failed('index:t', 0, 'value out of range');
      return failure.retryAt;
    });
    expect(waits.slice(0, 4)).toEqual([5_000, 10_000, 20_000, 40_000]);
    expect(waits[11]).toBe(15 * 60_000);
    expect(backoff.ready('index:t', 15 * 60_000 - 1)).toBe(false);
    expect(backoff.ready('index:t', 15 * 60_000)).toBe(true);
    expect(backoff.failing().get('index:t')).toMatchObject({ attempts: 12, message: 'value out of range' });
  });

  it('forgets a build once it succeeds, or once its table is gone', () => {
    const backoff = new BuildBackoff();
    backoff.failed('index:a', 0, 'x');
    backoff.failed('index:b', 0, 'x');
    backoff.succeeded('index:a');
    expect(backoff.ready('index:a', 1)).toBe(true);
    backoff.prune((key) => key !== 'index:b');
    expect(backoff.ready('index:b', 1)).toBe(true);
    expect(backoff.failing().size).toBe(0);
  });
});
