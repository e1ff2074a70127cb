/** A one-line text being edited; the cursor counts characters (code points), not UTF-16 units. */
export interface LineEdit {
  text: string;
  cursor: number;
}

const chars = (text: string) => Array.from(text);

/** The text with the cursor after its last character. */
export function startLine(text: string): LineEdit {
  return {text, cursor: chars(text).length};
}

export function insertText({text, cursor}: LineEdit, typed: string): LineEdit {
  const all = chars(text);
  all.splice(cursor, 0, typed);
  return {text: all.join(''), cursor: cursor + chars(typed).length};
}

/** Deletes the character before the cursor. */
export function eraseBefore(edit: LineEdit): LineEdit {
  if (edit.cursor === 0) return edit;
  const all = chars(edit.text);
  all.splice(edit.cursor - 1, 1);
  return {text: all.join(''), cursor: edit.cursor - 1};
}

export function moveCursor({text, cursor}: LineEdit, step: -1 | 1): LineEdit {
  return {text, cursor: Math.min(chars(text).length, Math.max(0, cursor + step))};
}

export const EMPTY_LINE: LineEdit = {text: '', cursor: 0};
