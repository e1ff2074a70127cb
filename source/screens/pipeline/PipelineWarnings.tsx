import {Box, Text} from 'ink';
import {memo} from 'react';
import {theme, tint} from '../shared/theme.js';

const MAX_WARNING_ROWS = 3;

/** Rows the warnings take: one each, at most MAX_WARNING_ROWS (the last then counts the rest). */
export function warningRows(count: number): number {
  return Math.min(count, MAX_WARNING_ROWS);
}

/** What needs the operator's attention, most urgent first, one line each. */
export const PipelineWarnings = memo(function PipelineWarnings({
  warnings,
  rows,
}: {
  warnings: readonly string[];
  rows: number;
}) {
  if (warnings.length === 0) return null;
  const overflow = warnings.length > rows;
  const shown = overflow ? warnings.slice(0, rows - 1) : warnings;
  return (
    <Box flexDirection="column">
      {shown.map((warning) => (
        <Text key={warning} color={tint(theme.warn)} wrap="truncate-end">
          ! {warning}
        </Text>
      ))}
      {overflow ? (
        <Text color={tint(theme.warn)}>! and {warnings.length - shown.length} more warnings</Text>
      ) : null}
    </Box>
  );
});
