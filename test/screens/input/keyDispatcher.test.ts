import type {Key} from 'ink';
import {describe, expect, it} from 'vitest';
import {KeyDispatcher} from '../../../source/screens/input/keyDispatcher.js';
import {until} from '../support.js';
import {inkKey} from './inkKey.js';

function dispatcher() {
  const seen: string[] = [];
  let frames = 0;
  const keys = new KeyDispatcher(() => (frames += 1));
  const listener = {handle: (input: string, _key: Key) => seen.push(input), active: true};
  keys.listen(listener);
  return {keys, seen, listener, frames: () => frames};
}

describe('KeyDispatcher', () => {
  it('hands a key that comes alone to the listeners at once', async () => {
    const {keys, seen, frames} = dispatcher();
    keys.receive('a', inkKey());
    expect(seen).toEqual(['a']);
    // Once React has had its turn, the next key is alone again.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    keys.receive('b', inkKey());
    expect(seen).toEqual(['a', 'b']);
    expect(frames()).toBe(0);
  });

  it('holds keys read together until the frame of the one before is drawn', async () => {
    const {keys, seen, frames} = dispatcher();
    keys.receive('a', inkKey());
    keys.receive('b', inkKey());
    keys.receive('c', inkKey());
    expect(seen).toEqual(['a']);
    expect(frames()).toBe(1);
    keys.framed();
    expect(seen).toEqual(['a', 'b']);
    expect(frames()).toBe(2);
    keys.framed();
    expect(seen).toEqual(['a', 'b', 'c']);
    expect(frames()).toBe(2);
    // A later read that comes before the last frame is drawn waits for it too.
    keys.receive('d', inkKey());
    expect(seen).toEqual(['a', 'b', 'c']);
    keys.framed();
    await until(() => expect(seen).toEqual(['a', 'b', 'c', 'd']));
  });

  it('skips listeners that are not active and those that left', () => {
    const {keys, seen, listener} = dispatcher();
    const other: string[] = [];
    const leave = keys.listen({handle: (input) => other.push(input), active: true});
    listener.active = false;
    keys.receive('a', inkKey());
    expect(seen).toEqual([]);
    expect(other).toEqual(['a']);
    leave();
    listener.active = true;
    keys.framed();
    keys.receive('b', inkKey());
    keys.framed();
    expect(seen).toEqual(['b']);
    expect(other).toEqual(['a']);
  });
});
