/**
 * Validation of one wine to price, shared by the CLI flags, the TUI form, the predictor service and
 * the CSV loader. Accepts numbers or numeric strings (form fields are text); empty means missing.
 */

export type Year = number | 'N.V.';

/** The feature-bearing fields of a wine; null = missing (filled or encoded as missing). */
export interface WineRecord {
  winery: string | null;
  wine: string | null;
  year: Year | null;
  region: string | null;
  type: string | null;
  rating: number | null;
  num_reviews: number | null;
  body: number | null;
  acidity: number | null;
}

/** A validated prediction input: winery, wine, region and rating are required. */
export interface WineInput extends WineRecord {
  winery: string;
  wine: string;
  region: string;
  rating: number;
}

export interface FieldError {
  field: string;
  /** One line naming the field, e.g. `rating must be a number from 0 to 5 (got "abc")`. */
  message: string;
}

export type ParseResult = {ok: true; value: WineInput} | {ok: false; errors: FieldError[]};

export const NON_VINTAGE = 'N.V.';
const MAX_TEXT = 200;

export interface ParseInputOptions {
  /** Upper bound for year; defaults to the current UTC year. */
  currentYear?: number;
}

export function parseWineInput(raw: unknown, options: ParseInputOptions = {}): ParseResult {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return {
      ok: false,
      errors: [{field: 'input', message: 'input must be an object with wine fields'}],
    };
  }
  const source = raw as Record<string, unknown>;
  const errors: FieldError[] = [];
  const currentYear = options.currentYear ?? new Date().getUTCFullYear();

  const take = <T>(parsed: T | FieldError): T | null => {
    if (isFieldError(parsed)) {
      errors.push(parsed);
      return null;
    }
    return parsed;
  };

  const winery = take(text(source, 'winery', true));
  const wine = take(text(source, 'wine', true));
  const region = take(text(source, 'region', true));
  const type = take(text(source, 'type', false));
  const year = take(parseYear(source.year, currentYear));
  const rating = take(decimal(source, 'rating', 0, 5, true));
  const body = take(decimal(source, 'body', 1, 5, false));
  const acidity = take(decimal(source, 'acidity', 1, 5, false));
  const numReviews = take(count(source, 'num_reviews'));

  if (errors.length > 0 || winery === null || wine === null || region === null || rating === null) {
    return {ok: false, errors};
  }
  return {
    ok: true,
    value: {winery, wine, year, region, type, rating, num_reviews: numReviews, body, acidity},
  };
}

function isFieldError(value: unknown): value is FieldError {
  return typeof value === 'object' && value !== null && 'message' in value && 'field' in value;
}

function isMissing(value: unknown): boolean {
  return (
    value === undefined || value === null || (typeof value === 'string' && value.trim() === '')
  );
}

function shown(value: unknown): string {
  const text =
    typeof value === 'number' || typeof value === 'boolean'
      ? String(value)
      : (JSON.stringify(value) ?? String(value));
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function text(
  source: Record<string, unknown>,
  field: string,
  required: boolean,
): string | null | FieldError {
  const value = source[field];
  if (isMissing(value)) {
    return required ? {field, message: `${field} is required`} : null;
  }
  if (typeof value !== 'string') {
    return {field, message: `${field} must be text (got ${shown(value)})`};
  }
  const trimmed = value.trim();
  if (trimmed.length > MAX_TEXT) {
    return {field, message: `${field} must be at most ${MAX_TEXT} characters`};
  }
  return trimmed;
}

/** A finite number from a number or a plain decimal string ("4.5"); no hex, no "1e3abc". */
function toNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(trimmed)) return null;
  const parsed = Number(trimmed);
  return Number.isFinite(parsed) ? parsed : null;
}

function decimal(
  source: Record<string, unknown>,
  field: string,
  min: number,
  max: number,
  required: boolean,
): number | null | FieldError {
  const value = source[field];
  if (isMissing(value)) return required ? {field, message: `${field} is required`} : null;
  const parsed = toNumber(value);
  if (parsed === null || parsed < min || parsed > max) {
    return {
      field,
      message: `${field} must be a number from ${min} to ${max} (got ${shown(value)})`,
    };
  }
  return parsed;
}

function count(source: Record<string, unknown>, field: string): number | null | FieldError {
  const value = source[field];
  if (isMissing(value)) return null;
  const parsed = toNumber(value);
  if (parsed === null || !Number.isSafeInteger(parsed) || parsed < 0) {
    return {field, message: `${field} must be a whole number >= 0 (got ${shown(value)})`};
  }
  return parsed;
}

function parseYear(value: unknown, currentYear: number): Year | null | FieldError {
  if (isMissing(value)) return null;
  if (typeof value === 'string' && value.trim().toUpperCase() === NON_VINTAGE) return NON_VINTAGE;
  const parsed = toNumber(value);
  if (parsed === null || !Number.isInteger(parsed) || parsed < 1900 || parsed > currentYear) {
    return {
      field: 'year',
      message: `year must be a whole year from 1900 to ${currentYear} or ${NON_VINTAGE} (got ${shown(value)})`,
    };
  }
  return parsed;
}
