import {Box, Text} from 'ink';
import {memo} from 'react';
import {theme, tint} from '../shared/theme.js';

export const LABEL_WIDTH = 13;

interface FieldProps {
  label: string;
  value: string;
  placeholder: string;
  focused: boolean;
  /** The rest of the first suggestion when it extends what was typed (accepted with →). */
  ghost: string;
  invalid: boolean;
  width: number;
}

/** One form row: marker, label, value with a cursor and the suggested completion, ✕ when invalid. */
export const PredictField = memo(function PredictField({
  label,
  value,
  placeholder,
  focused,
  ghost,
  invalid,
  width,
}: FieldProps) {
  // Long values show their end, where the typing happens.
  const room = Math.max(width - 2 - LABEL_WIDTH - 4, 8);
  const chars = Array.from(value);
  const shown = chars.length > room ? `…${chars.slice(-(room - 1)).join('')}` : value;
  const ghostChars = Array.from(ghost).slice(0, Math.max(room - Array.from(shown).length - 1, 0));
  return (
    <Box>
      <Text color={tint(focused ? theme.accent : undefined)} bold={focused} wrap="truncate-end">
        {focused ? '› ' : '  '}
        {label.padEnd(LABEL_WIDTH)}
      </Text>
      <Text wrap="truncate-end">
        {shown}
        {/* The cursor sits on the first suggested character, as in fish's autosuggestions. */}
        {focused ? <Text inverse>{ghostChars[0] ?? ' '}</Text> : null}
        {ghostChars.length > 1 ? (
          <Text color={tint(theme.muted)}>{ghostChars.slice(1).join('')}</Text>
        ) : null}
        {value === '' && ghostChars.length === 0 ? (
          <Text color={tint(theme.muted)}>{placeholder}</Text>
        ) : null}
        {invalid ? <Text color={tint(theme.bad)}> ✕</Text> : null}
      </Text>
    </Box>
  );
});

/** A line under a field: its validation error or its suggestions. */
export function PredictFieldNote({
  text,
  color,
}: {
  text: string;
  color: (typeof theme)[keyof typeof theme];
}) {
  return (
    <Text color={tint(color)} wrap="truncate-end">
      {' '.repeat(2 + LABEL_WIDTH)}
      {text}
    </Text>
  );
}
