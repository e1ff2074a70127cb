import {describe, expect, it} from 'vitest';
import {escapeControlChars} from '../../../source/services/messages/controlChars.js';

describe('escapeControlChars', () => {
  it('escapes C0 controls, DEL and C1 controls (CSI included), and nothing else', () => {
    expect(escapeControlChars('a\nb\tc\rd')).toBe('a\\nb\\tc\\rd');
    expect(escapeControlChars('\u001b[31mred\u0007')).toBe('\\u001b[31mred\\u0007');
    expect(escapeControlChars('x\u007fy\u009b2Jz')).toBe('x\\u007fy\\u009b2Jz');
    expect(escapeControlChars('"quoted" \\ é 🍷 ñ')).toBe('"quoted" \\ é 🍷 ñ');
  });
});
