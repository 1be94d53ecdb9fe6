import { ConcurrencyGate } from '../../../src/inference/concurrency-gate';

/** A task that runs until the test ends it, noting when it started. */
function controlled(started: string[], name: string) {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return { task: () => (started.push(name), done), finish: () => finish() };
}

/** Lets every promise continuation that is ready run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('ConcurrencyGate', () => {
  it('runs at most its limit at once, and the rest as slots free up', async () => {
    const gate = new ConcurrencyGate(2);
    const started: string[] = [];
    const tasks = ['a', 'b', 'c', 'd'].map((n) => controlled(started, n));
    const caller = {};
    const runs = tasks.map((t) => gate.run(caller, t.task));
    await settle();
    expect(started).toEqual(['a', 'b']);
    tasks[1].finish();
    await settle();
    expect(started).toEqual(['a', 'b', 'c']);
    tasks[0].finish();
    tasks[2].finish();
    await settle();
    expect(started).toEqual(['a', 'b', 'c', 'd']);
    tasks[3].finish();
    await Promise.all(runs);
    expect(gate.callersWaiting).toBe(0);
  });

  it('serves waiting callers in rotation: a one-call request does not wait behind a large one', async () => {
    const gate = new ConcurrencyGate(1);
    const started: string[] = [];
    const large = {};
    const small = {};
    const other = {};
    const tasks = new Map<string, ReturnType<typeof controlled>>();
    const run = (caller: object, name: string) => {
      const t = controlled(started, name);
      tasks.set(name, t);
      return gate.run(caller, t.task);
    };
    const runs = [1, 2, 3, 4, 5].map((k) => run(large, `large${k}`));
    runs.push(run(small, 'small'), run(other, 'other1'), run(other, 'other2'));
    await settle();
    for (const name of ['large1', 'large2', 'small', 'other1', 'large3', 'other2', 'large4', 'large5']) {
      expect(started[started.length - 1]).toBe(name);
      tasks.get(name)!.finish();
      await settle();
    }
    await Promise.all(runs);
    expect(started).toHaveLength(8);
  });

  it('frees the slot of a task that fails', async () => {
    const gate = new ConcurrencyGate(1);
    const caller = {};
    await expect(gate.run(caller, () => Promise.reject(new Error('provider down')))).rejects.toThrow('provider down');
    await expect(gate.run(caller, () => Promise.resolve(7))).resolves.toBe(7);
  });
});
