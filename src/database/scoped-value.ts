import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The values a request's async work carries (its cancellation, read consistency, request id,
 * principal), all in one AsyncLocalStorage: on Node 20 each instance copies its store onto every
 * promise created, and four of them cost about 0.5 us more per await than one (docs/hot-path.md).
 */
type Scope = Readonly<Record<symbol, unknown>>;

const storage = new AsyncLocalStorage<Scope>();

/** One value in the shared scope: `run` sets it for `work` and all it starts, as an AsyncLocalStorage of its own would. */
export class ScopedValue<T> {
  private readonly key: symbol;

  constructor(name: string) {
    this.key = Symbol(name);
  }

  run<R>(value: T, work: () => R): R {
    const outer = storage.getStore();
    return storage.run(outer === undefined ? { [this.key]: value } : { ...outer, [this.key]: value }, work);
  }

  get(): T | undefined {
    return storage.getStore()?.[this.key] as T | undefined;
  }
}
