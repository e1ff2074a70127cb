import {open, type FileHandle} from 'node:fs/promises';
import path from 'node:path';

/**
 * The on-disk format of the embedded bus: one append-only file of JSON lines per topic. Shared by
 * the writer (which appends and repairs torn ends) and the tails (which read forward).
 */

/** One line of a topic log. The value is base64 so that any bytes survive JSON. */
export interface StoredRecord {
  offset: number;
  timestamp: number;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

export const NEWLINE = 0x0a;
const TAIL_SCAN_CHUNK = 1 << 16;

/**
 * Creates an empty log if there is none (true if it did); fsyncs the folder so that the new name is
 * durable.
 */
export async function createLog(file: string): Promise<boolean> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  await handle.close();
  const dir = await open(path.dirname(file), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
  return true;
}

/**
 * Reads backwards from the end: `complete` is the length up to the last newline (what follows is a
 * torn or in-progress record), `next` the offset after the last record that parses.
 */
export async function scanTail(
  handle: FileHandle,
  size: number,
): Promise<{next: number; complete: number}> {
  let data = Buffer.alloc(0);
  let position = size;
  let complete: number | undefined;
  for (;;) {
    if (complete === undefined) {
      const newline = data.lastIndexOf(NEWLINE);
      if (newline >= 0) {
        complete = position + newline + 1;
        data = data.subarray(0, newline + 1);
      }
    }
    if (complete !== undefined) {
      const lines = data.toString('utf8').split('\n');
      // The first piece may be the end of a line that starts further back, unless at the start.
      const firstWhole = position === 0 ? 0 : 1;
      for (let index = lines.length - 2; index >= firstWhole; index--) {
        const record = parseRecord(lines[index] ?? '');
        if (record) return {next: record.offset + 1, complete};
      }
      data = data.subarray(0, data.indexOf(NEWLINE) + 1);
    }
    if (position === 0) return {next: 0, complete: complete ?? 0};
    const length = Math.min(TAIL_SCAN_CHUNK, position);
    position -= length;
    const chunk = Buffer.alloc(length);
    await handle.read(chunk, 0, length, position);
    data = Buffer.concat([chunk, data]);
  }
}

export function parseRecord(line: string): StoredRecord | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const record = parsed as Partial<StoredRecord>;
  const valid =
    Number.isSafeInteger(record.offset) &&
    (record.offset ?? -1) >= 0 &&
    typeof record.timestamp === 'number' &&
    (record.key === null || typeof record.key === 'string') &&
    (record.value === null || typeof record.value === 'string') &&
    typeof record.headers === 'object' &&
    record.headers !== null &&
    Object.values(record.headers).every((value) => typeof value === 'string');
  return valid ? (record as StoredRecord) : undefined;
}
