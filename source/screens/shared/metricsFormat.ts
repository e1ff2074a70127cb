import type {WineInput} from '../../ml/input.js';
import {escapeControlChars} from '../../services/messages/controlChars.js';
import type {HeadlineMetrics} from '../../services/registry/ModelRegistry.js';

/** A share (0.123) as a percentage (12.3%). */
export const formatPercent = (share: number) => `${(share * 100).toFixed(1)}%`;
export const formatEuros = (price: number) => `€${price.toFixed(2)}`;

/**
 * "winery wine year" of a wine that came from a request (and maybe a heartbeat): escaped, whatever
 * it holds.
 */
export function wineLabel(input: Pick<WineInput, 'winery' | 'wine' | 'year'>): string {
  return escapeControlChars(
    [input.winery, input.wine, input.year ?? 'N.V.'].map((v) => String(v ?? '-')).join(' '),
  );
}

/** Number formats the Train and Models screens share, so the same metric reads the same in both. */
export const formatMetric = {
  r2: (value: number) => value.toFixed(3),
  rmse: (value: number) => `€${value.toFixed(1)}`,
  mae: (value: number) => `€${value.toFixed(1)}`,
  mape: formatPercent,
} satisfies Record<keyof HeadlineMetrics, (value: number) => string>;

export const METRIC_LABELS: Record<keyof HeadlineMetrics, string> = {
  r2: 'R²',
  rmse: 'RMSE',
  mae: 'MAE',
  mape: 'MAPE',
};

export const METRIC_KEYS = ['r2', 'rmse', 'mae', 'mape'] as const;

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** `2026-11-23T10:15:00.000Z` → `2026-11-23 10:15` (UTC, as in the version ids). */
export function formatTime(iso: string, seconds = false): string {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2})?/.exec(iso);
  if (!match) return iso;
  return `${match[1]} ${match[2]}${seconds ? (match[3] ?? '') : ''}`;
}
