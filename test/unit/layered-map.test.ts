/**
 * LayeredMap (server/src/core/index/layered.ts) must behave exactly like a Map that received the same
 * operations — values, sizes and iteration order — across forks, flattening and deletions, and an
 * older snapshot must keep its contents when newer ones change.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LayeredMap } from '../../server/src/core/index/layered';

test('a chain of forks behaves like copied Maps (values, size, order), old versions unchanged', () => {
  let seed = 7;
  const rnd = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
    return seed % n;
  };
  let layered = LayeredMap.empty<string, number>();
  let plain = new Map<string, number>();
  const versions: Array<{ layered: LayeredMap<string, number>; plain: Map<string, number> }> = [];
  for (let round = 0; round < 120; round++) {
    // Batches of very different sizes exercise both flattening rules (depth and accumulated changes).
    const ops = round % 10 === 0 ? 3000 : 1 + rnd(20);
    for (let i = 0; i < ops; i++) {
      const key = `k${rnd(2500)}`;
      if (rnd(3) === 0) assert.equal(layered.delete(key), plain.delete(key));
      else {
        layered.set(key, round * 10000 + i);
        plain.set(key, round * 10000 + i);
      }
    }
    assert.equal(layered.size, plain.size);
    for (let i = 0; i < 50; i++) {
      const key = `k${rnd(2600)}`;
      assert.equal(layered.get(key), plain.get(key));
      assert.equal(layered.has(key), plain.has(key));
    }
    if (round % 7 === 0) assert.deepEqual([...layered], [...plain]);
    versions.push({ layered, plain });
    layered = layered.fork();
    plain = new Map(plain);
  }
  for (const v of versions) {
    assert.deepEqual([...v.layered.entries()], [...v.plain.entries()]);
    assert.deepEqual([...v.layered.keys()], [...v.plain.keys()]);
    assert.equal(v.layered.size, v.plain.size);
  }
});

test('delete then set moves a key to the end, as in a Map', () => {
  const a = LayeredMap.empty<string, number>();
  a.set('x', 1).set('y', 2).set('z', 3);
  const b = a.fork();
  b.delete('x');
  b.set('x', 4);
  b.set('y', 5);
  assert.deepEqual([...b], [['y', 5], ['z', 3], ['x', 4]]);
  assert.deepEqual([...a], [['x', 1], ['y', 2], ['z', 3]]);
});

test('a map that was forked cannot change', () => {
  const a = LayeredMap.empty<string, number>();
  a.set('x', 1);
  a.fork();
  assert.equal(a.isFrozen, true);
  assert.throws(() => a.set('y', 2), /cannot change/);
  assert.throws(() => a.delete('x'), /cannot change/);
});
