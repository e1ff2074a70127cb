const BARS = '▁▂▃▄▅▆▇█';

/**
 * The newest `width` values as one line of bar characters, scaled to the largest shown; zero is
 * the lowest bar, so an idle series still reads as a line.
 */
export function sparkline(values: readonly number[], width = values.length): string {
  const shown = width > 0 ? values.slice(-width) : [];
  const max = Math.max(0, ...shown);
  return shown
    .map((value) =>
      value <= 0 || max === 0
        ? BARS[0]
        : BARS[1 + Math.min(BARS.length - 2, Math.floor((value / max) * (BARS.length - 1)))],
    )
    .join('');
}
