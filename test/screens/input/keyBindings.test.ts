import {describe, expect, it} from 'vitest';
import {keyLabel, matches} from '../../../source/screens/input/keyBindings.js';
import {GLOBAL_HELP, helpRows, SCREEN_HELP} from '../../../source/screens/input/keyHelp.js';
import {
  eraseBefore,
  insertText,
  moveCursor,
  startLine,
} from '../../../source/screens/input/lineEdit.js';
import {typedText} from '../../../source/screens/input/useCommands.js';
import {inkKey} from './inkKey.js';

describe('matches', () => {
  it('matches a command by any of its bindings', () => {
    expect(matches('up', '', inkKey({upArrow: true}))).toBe(true);
    expect(matches('up', 'k', inkKey())).toBe(true);
    expect(matches('up', 'j', inkKey())).toBe(false);
    expect(matches('erase', '', inkKey({delete: true}))).toBe(true);
  });

  it('tells a character from the same character with Ctrl', () => {
    expect(matches('forceQuit', 'c', inkKey({ctrl: true}))).toBe(true);
    expect(matches('compare', 'c', inkKey({ctrl: true}))).toBe(false);
    expect(matches('compare', 'c', inkKey())).toBe(true);
    expect(matches('clearField', 'u', inkKey())).toBe(false);
  });

  it('tells the redrive capitals from the lower-case keys of other screens', () => {
    const shifted = inkKey({shift: true});
    expect(matches('redriveLetter', 'R', shifted)).toBe(true);
    expect(matches('refresh', 'R', shifted)).toBe(false);
    expect(matches('redriveLetter', 'r', inkKey())).toBe(false);
    expect(matches('redriveClass', 'C', shifted) && !matches('compare', 'C', shifted)).toBe(true);
    expect(matches('redriveAll', 'A', shifted) && !matches('promote', 'A', shifted)).toBe(true);
  });

  it('tells Tab from Shift+Tab where it matters and takes either where it does not', () => {
    const tab = inkKey({tab: true});
    const shiftTab = inkKey({tab: true, shift: true});
    expect(matches('nextField', '', tab)).toBe(true);
    expect(matches('nextField', '', shiftTab)).toBe(false);
    expect(matches('previousField', '', shiftTab)).toBe(true);
    expect(matches('pane', '', tab) && matches('pane', '', shiftTab)).toBe(true);
  });
});

describe('keyLabel', () => {
  it('labels keys from their bindings, pairing several commands by position', () => {
    expect(keyLabel(['up', 'down'])).toBe('↑/↓ k/j');
    expect(keyLabel(['nextField', 'previousField'])).toBe('Tab/Shift+Tab ↓/↑');
    expect(keyLabel(['forceQuit'])).toBe('Ctrl+C');
    expect(keyLabel(['clearField'])).toBe('Ctrl+U');
    expect(keyLabel(['toggle'])).toBe('space');
    expect(keyLabel(['erase'])).toBe('Backspace');
    expect(keyLabel(['yes', 'no'])).toBe('y/n');
  });

  it('gives every row of every key map a label', () => {
    for (const entries of [GLOBAL_HELP, ...Object.values(SCREEN_HELP)]) {
      for (const row of helpRows(entries)) expect(row.keys).not.toBe('');
    }
  });
});

describe('text entry', () => {
  it('types what can be shown and drops control characters', () => {
    expect(typedText('Vega Sicilia')).toBe('Vega Sicilia');
    expect(typedText('a\rb\tc\u001bd\u007fé🍷')).toBe('abcdé🍷');
    expect(typedText('\r')).toBe('');
  });

  it('edits a line at its cursor, a character being a code point', () => {
    const line = startLine('w🍷ne');
    expect(line.cursor).toBe(4);
    const left = moveCursor(moveCursor(line, -1), -1);
    expect(eraseBefore(left)).toEqual({text: 'wne', cursor: 1});
    expect(insertText(left, 'i')).toEqual({text: 'w🍷ine', cursor: 3});
    expect(moveCursor(startLine(''), -1).cursor).toBe(0);
    expect(eraseBefore(startLine(''))).toEqual({text: '', cursor: 0});
  });
});
