import {readFile} from 'node:fs/promises';
import path from 'node:path';
import {UserFacingError} from '../errors.js';

/*
 * The embedded bus has no consumer groups: `wine-tui serve` keeps its group's next offset in a file
 * of the state folder. LocalRequestStream writes it; LocalBus reads it for the group's lag.
 */

/** `<stateDir>/serve/<group>.<topic>.offset` */
export function groupOffsetFile(stateDir: string, groupId: string, topic: string): string {
  const name = `${groupId}.${topic}`.replace(/[^A-Za-z0-9._-]/g, '_');
  return path.join(stateDir, 'serve', `${name}.offset`);
}

/** The next offset to answer; null when the group has committed nothing (no file, or empty). */
export async function readGroupOffset(file: string): Promise<number | null> {
  let text: string;
  try {
    text = (await readFile(file, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  if (text === '') return null;
  let offset = NaN;
  try {
    offset = Number((JSON.parse(text) as {next?: unknown}).next);
  } catch {
    // Reported below.
  }
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new UserFacingError(`${file} does not hold an offset: delete it to start over`);
  }
  return offset;
}
