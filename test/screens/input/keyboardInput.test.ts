import {PassThrough} from 'node:stream';
import {describe, expect, it} from 'vitest';
import {KeySplittingStdin, splitKeys} from '../../../source/screens/input/keyboardInput.js';
import {until} from '../support.js';

describe('splitKeys', () => {
  it('splits a read into keys and keeps escape sequences whole', () => {
    expect(splitKeys('jjj')).toEqual(['j', 'j', 'j']);
    expect(splitKeys('0.3\r')).toEqual(['0', '.', '3', '\r']);
    expect(splitKeys('ab\u007f\u007fc')).toEqual(['a', 'b', '\u007f', '\u007f', 'c']);
    // Arrows, Shift+Tab, Delete, F5, an SS3 arrow, Alt+x and a lone Escape.
    expect(splitKeys('\u001B[B\u001B[A\u001B[Z\u001B[3~\u001B[15~\u001BOAx\u001Bx\u001B')).toEqual([
      '\u001B[B',
      '\u001B[A',
      '\u001B[Z',
      '\u001B[3~',
      '\u001B[15~',
      '\u001BOA',
      'x',
      '\u001Bx',
      '\u001B',
    ]);
    // Characters outside the BMP stay whole.
    expect(splitKeys('é🍷')).toEqual(['é', '🍷']);
  });
});

describe('KeySplittingStdin', () => {
  it('hands Ink one key per read, in order, a few milliseconds apart', async () => {
    const real = new PassThrough();
    const stdin = new KeySplittingStdin(real as unknown as NodeJS.ReadStream);
    const received: {input: string; at: number}[] = [];
    const onReadable = () => {
      let piece: string | null;
      while ((piece = stdin.read()) !== null) received.push({input: piece, at: Date.now()});
    };
    stdin.addListener('readable', onReadable);
    real.write('Ve\tjj\r');
    // A later write is the control: once it is out, anything the first one held is out too.
    await until(() => expect(received.map((r) => r.input)).toContain('V'));
    real.write('X');
    await until(() => expect(received.map((r) => r.input)).toContain('X'));
    expect(received.map((r) => r.input)).toEqual(['V', 'e', '\t', 'j', 'j', '\r', 'X']);
    // The spacing is within one read; the control came in a read of its own.
    for (let i = 1; i < 6; i++) {
      expect(received[i]!.at - received[i - 1]!.at).toBeGreaterThanOrEqual(10);
    }
    stdin.removeListener('readable', onReadable);
    expect(real.listenerCount('readable')).toBe(0);
  });
});
