import {InvalidInputError} from '../services/errors.js';

/** A number of seconds from a flag, at least 0.1; 5 when absent. */
export function seconds(value: unknown, flag: string): number {
  const number = value === undefined ? 5 : Number(value);
  if (!Number.isFinite(number) || number < 0.1) {
    throw new InvalidInputError(
      `${flag} must be a number of seconds, at least 0.1 (got ${String(value)})`,
    );
  }
  return number;
}

export function port(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (typeof value !== 'string' || !/^\d+$/.test(value.trim()) || number < 1 || number > 65535) {
    throw new InvalidInputError(
      `--metrics-port must be a port number from 1 to 65535 (got ${String(value)})`,
    );
  }
  return number;
}

/** A share from 0 to 100 (fractions allowed); 0 when absent. */
export function percent(value: unknown, flag: string): number {
  if (value === undefined) return 0;
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isFinite(number) || number < 0 || number > 100) {
    throw new InvalidInputError(`${flag} must be a number from 0 to 100 (got ${String(value)})`);
  }
  return number;
}
