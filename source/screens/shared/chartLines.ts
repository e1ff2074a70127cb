import asciichart from 'asciichart';
import {colorEnabled} from './theme.js';

export interface ChartRequest {
  series: number[][];
  /** Columns for the whole chart, labels included. */
  width: number;
  /** Rows for the whole chart. */
  height: number;
  /** Y labels; all must have the same length (asciichart aligns on it). */
  format: (value: number) => string;
  /** asciichart colour codes, one a series; dropped under NO_COLOR. */
  colors?: (string | undefined)[];
}

/**
 * An asciichart plot cut to fit: series longer than the room are resampled to the columns left
 * beside the labels, shorter ones are stretched so a handful of points still reads as a line.
 */
export function chartLines({series, width, height, format, colors}: ChartRequest): string[] {
  const longest = Math.max(0, ...series.map((s) => s.length));
  if (longest === 0 || height < 2) return [];
  const labelWidth = format(0).length;
  // asciichart puts the label, a space and the axis before the points.
  const room = width - labelWidth - 2;
  if (room < 2) return [];
  const fitted = series.map((s) => resample(s, longest > room ? room : stretchTo(s.length, room)));
  const text = asciichart.plot(fitted, {
    height: height - 1,
    format,
    offset: 2,
    ...(colors && colorEnabled ? {colors} : {}),
  });
  return text.split('\n').slice(0, height);
}

/** Repeat each of n points so that n points fill about `room` columns. */
function stretchTo(n: number, room: number): number {
  return n <= 1 ? Math.min(room, 2) : n * Math.max(1, Math.floor(room / n));
}

/** `values` as exactly `n` points: bucket averages when shrinking, repeats when stretching. */
export function resample(values: readonly number[], n: number): number[] {
  if (values.length === 0 || n <= 0) return [];
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = Math.floor((i * values.length) / n);
    const end = Math.max(start + 1, Math.floor(((i + 1) * values.length) / n));
    let sum = 0;
    for (let k = start; k < end; k++) sum += values[k] as number;
    out.push(sum / (end - start));
  }
  return out;
}
