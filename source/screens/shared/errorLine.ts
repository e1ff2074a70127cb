import {redact} from '../../services/config/secrets.js';

/** What a screen shows of a failure: its first line, secrets removed. */
export function errorLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return redact(text.split('\n')[0] ?? '');
}
