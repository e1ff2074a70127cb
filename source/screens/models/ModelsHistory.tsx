import {Box, Text} from 'ink';
import {memo} from 'react';
import type {AnnouncementRecord} from '../../services/registry/ModelRegistry.js';
import {theme, tint} from '../shared/theme.js';
import {formatMetric, formatTime} from '../shared/metricsFormat.js';

interface Props {
  /** Oldest first, as on the topic; the last one is active. */
  history: AnnouncementRecord[];
  /** Newest-first rows scrolled past. */
  scroll: number;
  rows: number;
}

function cells(offset: string, at: string, version: string, r2: string, by: string): string {
  return `${offset.padStart(6)} ${at.padEnd(19)} ${version.padEnd(28)} ${r2.padStart(6)} ${by}`;
}

/** Who made which version active when: each announcement holds until the next one. */
export const ModelsHistory = memo(function ModelsHistory({history, scroll, rows}: Props) {
  const newestFirst = [...history].reverse();
  const shown = newestFirst.slice(scroll, scroll + rows);
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate-end">
        {'  '}
        {cells('offset', 'active from (UTC)', 'version', 'R²', 'announced by')}
      </Text>
      {history.length === 0 ? (
        <Text color={tint(theme.muted)}> no announcements on the train topic yet</Text>
      ) : null}
      {shown.map((a, i) => {
        const current = scroll + i === 0;
        return (
          <Text
            key={`${a.partition}/${a.offset}`}
            wrap="truncate-end"
            color={tint(current ? theme.good : undefined)}
          >
            {current ? '● ' : '  '}
            {cells(
              String(a.offset),
              formatTime(a.announced_at, true),
              a.version,
              formatMetric.r2(a.metrics.r2),
              a.announced_by,
            )}
          </Text>
        );
      })}
    </Box>
  );
});
