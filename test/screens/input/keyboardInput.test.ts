import {PassThrough} from 'node:stream';
import {describe, expect, it} from 'vitest';
import {KeySplittingStdin, splitKeys} from '../../../source/screens/input/keyboardInput.js';
import {until} from '../support.js';

describe('splitKeys', () => {
  it('splits a read at Enter, Tab and Backspace and keeps escape sequences whole', () => {
    expect(splitKeys('0.3\r')).toEqual(['0.3', '\r']);
    expect(splitKeys('Unico\t2009\t')).toEqual(['Unico', '\t', '2009', '\t']);
    expect(splitKeys('ab\u007f\u007fc')).toEqual(['ab', '\u007f', '\u007f', 'c']);
    expect(splitKeys('\u001B[B\u001B[A')).toEqual(['\u001B[B\u001B[A']);
    expect(splitKeys('plain text')).toEqual(['plain text']);
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
    real.write('Vega\tUnico\r');
    // A later write is the control: once it is out, anything the first one held is out too.
    await until(() => expect(received.map((r) => r.input)).toContain('Vega'));
    real.write('X');
    await until(() => expect(received.map((r) => r.input)).toContain('X'));
    expect(received.map((r) => r.input)).toEqual(['Vega', '\t', 'Unico', '\r', 'X']);
    // The spacing is within one read; the control came in a read of its own.
    for (let i = 1; i < 4; i++) {
      expect(received[i]!.at - received[i - 1]!.at).toBeGreaterThanOrEqual(10);
    }
    stdin.removeListener('readable', onReadable);
    expect(real.listenerCount('readable')).toBe(0);
  });
});
