/** C0 controls, DEL and C1 controls: any of them can move the cursor or start a terminal escape. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
const NAMED: Record<string, string> = {'\n': '\\n', '\r': '\\r', '\t': '\\t'};

/**
 * Text from a message (a key, a header, a reason) made safe to print on one line: control
 * characters become escapes (\n, \t, \u001b), everything else stays as it is.
 */
export function escapeControlChars(text: string): string {
  return text.replace(
    CONTROL,
    (c) => NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
