import {Text} from 'ink';
import {memo} from 'react';
import {theme, tint} from '../shared/theme.js';
import {LABEL_WIDTH} from './PredictField.js';

interface Props {
  suggestions: string[];
  /** The typed value, to say when the model does not know it. */
  value: string;
  known: boolean;
}

/** The focused field's matches in the model's vocabulary, the first one accepted with →. */
export const PredictSuggestions = memo(function PredictSuggestions({
  suggestions,
  value,
  known,
}: Props) {
  const indent = ' '.repeat(2 + LABEL_WIDTH);
  if (suggestions.length === 0) {
    if (value.trim() === '' || known) return null;
    return (
      <Text color={tint(theme.warn)} wrap="truncate-end">
        {indent}not in the model's vocabulary: it will count as unknown
      </Text>
    );
  }
  const [first, ...rest] = suggestions;
  return (
    <Text wrap="truncate-end">
      {indent}
      <Text color={tint(theme.accent)}>→ {first}</Text>
      {rest.map((word) => (
        <Text key={word} color={tint(theme.muted)}>
          {'  ·  '}
          {word}
        </Text>
      ))}
    </Text>
  );
});
