import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Checkpoint } from '../../../src/transfer/checkpoint';

describe('import checkpoint', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vecgate-checkpoint-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype'];

  it('keeps the progress of collections named like members, on disk and back, and pollutes nothing', () => {
    const path = join(dir, 'members.json');
    const checkpoint = Checkpoint.open(path, 'jsonl x', 'default_tenant/default_database', false);
    for (const name of NAMES) {
      // A collection never seen starts from the beginning, whatever its name.
      expect(checkpoint.get(name)).toEqual({ cursor: null, imported: 0, skipped: [], done: false });
    }
    NAMES.forEach((name, i) => checkpoint.save(name, { cursor: `c${i}`, imported: i, skipped: [], done: i % 2 === 0 }));
    expect(Object.getPrototypeOf(Object.prototype)).toBeNull();
    expect(({} as Record<string, unknown>).cursor).toBeUndefined();
    expect(({} as Record<string, unknown>).imported).toBeUndefined();

    const onDisk = JSON.parse(readFileSync(path, 'utf8'));
    expect(Object.keys(onDisk.collections).sort()).toEqual([...NAMES].sort());
    const resumed = Checkpoint.open(path, 'jsonl x', 'default_tenant/default_database', true);
    NAMES.forEach((name, i) =>
      expect(resumed.get(name)).toEqual({ cursor: `c${i}`, imported: i, skipped: [], done: i % 2 === 0 }),
    );
  });
});
