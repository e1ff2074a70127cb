/**
 * Which rows of a long list fit in `rows` lines: with nothing selected (-1) the newest, else a
 * window with the selected row centred. Returns [start, end).
 */
export function visibleWindow(length: number, selected: number, rows: number): [number, number] {
  if (rows <= 0) return [0, 0];
  const last = Math.max(0, length - rows);
  const start = selected < 0 ? last : Math.min(last, Math.max(0, selected - Math.floor(rows / 2)));
  return [start, Math.min(length, start + rows)];
}
