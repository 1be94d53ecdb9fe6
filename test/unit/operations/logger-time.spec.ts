import { isoTime } from '../../../src/operations/logger';

describe('isoTime', () => {
  it("writes what Date's toISOString writes, whatever order the times come in", () => {
    const base = Date.UTC(2026, 10, 30, 23, 59, 58, 0);
    const times = [base, base + 1, base + 9, base + 10, base + 99, base + 100, base + 999, base + 1000, base + 2001];
    times.push(base - 1, 0, 7, 86_399_999, Date.UTC(2000, 1, 29, 12, 0, 0, 5), base + 1);
    for (let ms = base; ms < base + 3000; ms += 37) times.push(ms);
    for (const ms of times) expect(isoTime(ms)).toBe(new Date(ms).toISOString());
  });
});
