import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';

/** Where one collection's import stands: the source cursor of the next page, and what was written. */
export interface CollectionProgress {
  cursor: string | null;
  imported: number;
  skipped: string[];
  done: boolean;
}

interface CheckpointFile {
  source: string;
  target: string;
  collections: Record<string, CollectionProgress>;
}

/**
 * An import's progress on disk, rewritten (write, then rename: never half a file) after every
 * batch commits. A kill between a commit and the rewrite re-sends that one batch on --resume,
 * which its idempotent upsert writes again unchanged: no record twice, none missed.
 */
export class Checkpoint {
  private constructor(
    readonly path: string,
    private readonly state: CheckpointFile,
  ) {}

  /**
   * The checkpoint of this source and target: a fresh one, or with `resume` the one on disk. An
   * existing file without `resume` is refused, so that an import is never restarted by mistake
   * over a half-done one (or resumed from another source's).
   */
  static open(path: string, source: string, target: string, resume: boolean): Checkpoint {
    if (existsSync(path)) {
      if (!resume)
        throw new Error(`${path} holds an unfinished import: add --resume to continue it, or delete the file`);
      const state = JSON.parse(readFileSync(path, 'utf8')) as CheckpointFile;
      if (state.source !== source || state.target !== target)
        throw new Error(`${path} is the checkpoint of ${state.source} into ${state.target}, not of this import`);
      return new Checkpoint(path, state);
    }
    return new Checkpoint(path, { source, target, collections: {} });
  }

  /**
   * Collections are keyed by name, and a name may be `constructor` or `__proto__` (Vectorizer's and
   * Qdrant's names are any string): own keys only, defined rather than assigned, so that no name
   * reads or replaces what every object inherits.
   */
  get(collection: string): CollectionProgress {
    const { collections } = this.state;
    return Object.hasOwn(collections, collection)
      ? collections[collection]
      : { cursor: null, imported: 0, skipped: [], done: false };
  }

  save(collection: string, progress: CollectionProgress): void {
    Object.defineProperty(this.state.collections, collection, {
      value: progress,
      enumerable: true,
      writable: true,
      configurable: true,
    });
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.state));
    renameSync(tmp, this.path);
  }

  /** The import finished: nothing left to resume. */
  remove(): void {
    rmSync(this.path, { force: true });
  }
}
