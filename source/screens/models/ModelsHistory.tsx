import {Box, Text} from 'ink';
import {memo} from 'react';
import {aliasOf, currentAliases, isClear} from '../../services/registry/aliases.js';
import type {AnnouncementRecord} from '../../services/registry/ModelRegistry.js';
import {theme, tint} from '../shared/theme.js';
import {formatMetric, formatTime} from '../shared/metricsFormat.js';

interface Props {
  /** Oldest first, as on the topic. */
  history: AnnouncementRecord[];
  /** Newest-first rows scrolled past. */
  scroll: number;
  rows: number;
}

function cells(
  offset: string,
  at: string,
  alias: string,
  version: string,
  r2: string,
  by: string,
): string {
  return `${offset.padStart(6)} ${at.padEnd(19)} ${alias.padEnd(12)} ${version.padEnd(28)} ${r2.padStart(6)} ${by}`;
}

/** Who gave which version which alias, and when: each record holds until the next for its alias. */
export const ModelsHistory = memo(function ModelsHistory({history, scroll, rows}: Props) {
  const holders = new Set(currentAliases(history).values());
  const newestFirst = [...history].reverse();
  const shown = newestFirst.slice(scroll, scroll + rows);
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate-end">
        {'  '}
        {cells('offset', 'from (UTC)', 'alias', 'version', 'R²', 'announced by')}
      </Text>
      {history.length === 0 ? (
        <Text color={tint(theme.muted)}> no announcements on the train topic yet</Text>
      ) : null}
      {shown.map((a) => {
        const current = holders.has(a);
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
              isClear(a) ? `${aliasOf(a)} ✕` : aliasOf(a),
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
