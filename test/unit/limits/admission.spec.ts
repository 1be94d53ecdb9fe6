import { OverloadedError } from '../../../src/core/errors';
import { Admission } from '../../../src/limits/admission';

/** Admission control's queue: turns per client in rotation, bounded, timed out, left by clients that go away. */
describe('Admission', () => {
  const settle = () => new Promise((r) => setImmediate(r));

  /** Enters requests and records the order in which they are admitted. */
  function harness(maxActive: number, maxQueued = 100, queueTimeoutMs = 60_000) {
    const admission = new Admission({ maxActive, maxQueued, queueTimeoutMs });
    const order: string[] = [];
    const tickets = new Map<string, ReturnType<Admission['enter']>>();
    const enter = (client: string, name: string) => {
      const ticket = admission.enter(client);
      tickets.set(name, ticket);
      ticket.admitted.then(
        () => order.push(name),
        () => order.push(`refused ${name}`),
      );
      return ticket;
    };
    return { admission, order, enter, done: (name: string) => tickets.get(name)!.done() };
  }

  it('admits up to maxActive at once, and the next waiter when one is done', async () => {
    const { admission, order, enter, done } = harness(2);
    enter('a', 'a1');
    enter('a', 'a2');
    enter('a', 'a3');
    await settle();
    expect(order).toEqual(['a1', 'a2']);
    expect([admission.active, admission.queued]).toEqual([2, 1]);
    done('a1');
    await settle();
    expect(order).toEqual(['a1', 'a2', 'a3']);
    done('a2');
    done('a3');
    done('a3'); // twice: counted once
    expect([admission.active, admission.queued]).toEqual([0, 0]);
  });

  it('serves waiting clients in turn: a burst of one client delays another by one turn at most', async () => {
    const { order, enter, done } = harness(1);
    enter('a', 'a0');
    for (let i = 1; i <= 5; i++) enter('a', `a${i}`);
    enter('b', 'b1');
    enter('c', 'c1');
    enter('b', 'b2');
    for (const name of ['a0', 'a1', 'b1', 'c1', 'a2', 'b2', 'a3', 'a4']) {
      await settle();
      done(name);
    }
    await settle();
    expect(order).toEqual(['a0', 'a1', 'b1', 'c1', 'a2', 'b2', 'a3', 'a4', 'a5']);
  });

  it('refuses past maxQueued at once, with Retry-After', async () => {
    const { admission, enter } = harness(1, 2);
    enter('a', 'a1');
    enter('a', 'a2');
    enter('b', 'b1');
    const refused = enter('c', 'c1').admitted;
    await expect(refused).rejects.toBeInstanceOf(OverloadedError);
    await expect(refused).rejects.toMatchObject({ retryAfterSeconds: 1 });
    expect(admission.refused).toEqual({ queue_full: 1, queue_timeout: 0 });
    expect([admission.active, admission.queued]).toEqual([1, 2]);
  });

  it('refuses a waiter whose turn does not come in time, and frees its place', async () => {
    const { admission, order, enter, done } = harness(1, 10, 30);
    enter('a', 'a1');
    const late = enter('b', 'b1').admitted;
    await expect(late).rejects.toThrow(/no turn came within 30 ms/);
    expect(admission.refused.queue_timeout).toBe(1);
    expect(admission.queued).toBe(0);
    done('a1');
    await settle();
    expect(order).toEqual(['a1', 'refused b1']);
    expect(admission.active).toBe(0);
  });

  it('drops a waiter whose client went away, and never admits it', async () => {
    const { admission, order, enter, done } = harness(1);
    enter('a', 'a1');
    enter('b', 'b1');
    enter('c', 'c1');
    done('b1'); // the connection closed while waiting
    expect(admission.queued).toBe(1);
    done('a1');
    await settle();
    expect(order).toEqual(['a1', 'c1']);
    expect([admission.active, admission.queued]).toEqual([1, 0]);
  });

  it('is off with maxActive 0', () => {
    expect(new Admission({ maxActive: 0, maxQueued: 0, queueTimeoutMs: 1 }).enabled).toBe(false);
  });
});
