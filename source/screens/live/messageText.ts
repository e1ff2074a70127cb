/** HH:MM:SS in local time. */
export function clockTime(timestamp: number): string {
  return new Date(timestamp).toTimeString().slice(0, 8);
}

/** Control characters (newlines, terminal escapes) escaped, so that a key or a header stays on one line. */
export function escapeControlChars(text: string): string {
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u001f\u007f]/.test(text) ? JSON.stringify(text).slice(1, -1) : text;
}
