import {Text} from 'ink';
import type {LineEdit} from '../input/lineEdit.js';

/** A field's text with the cursor shown as an inverse character (a blank after the end). */
export function TextField({line}: {line: LineEdit}) {
  const chars = Array.from(line.text);
  return (
    <Text>
      {chars.slice(0, line.cursor).join('')}
      <Text inverse>{chars[line.cursor] ?? ' '}</Text>
      {chars.slice(line.cursor + 1).join('')}
    </Text>
  );
}
