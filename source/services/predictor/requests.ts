import {parseWineInput, type WineInput} from '../../ml/input.js';

/*
 * A prediction request (message value, JSON): {"request_id": "r-1", "input": {wine fields}}, or
 * the wine fields at the top level beside request_id.
 */

/** Requests above this are dead-lettered unparsed: a wine is a few hundred bytes. */
export const MAX_REQUEST_BYTES = 64 * 1024;
export const MAX_REQUEST_ID_LENGTH = 200;

export type ParsedRequest =
  | {ok: true; requestId: string; input: WineInput}
  | {ok: false; reason: string; reasonClass: string; requestId: string | null};

const utf8 = new TextDecoder('utf-8', {fatal: true});

// The bound for `year`, read once a year instead of from a new Date per request.
let year = 0;
let yearEnds = 0;
function currentYear(): number {
  const now = Date.now();
  if (now >= yearEnds) {
    year = new Date(now).getUTCFullYear();
    yearEnds = Date.UTC(year + 1, 0, 1);
  }
  return year;
}

/** At most `length` characters, with "..." where it was cut. */
export function clip(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 3)}...` : text;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates one request; every problem becomes one reason line. */
export function parseRequest(value: Buffer | null): ParsedRequest {
  const fail = (
    reasonClass: string,
    reason: string,
    requestId: string | null = null,
  ): ParsedRequest => ({ok: false, reason, reasonClass, requestId});
  if (value === null) return fail('empty request', 'the request has no value (null)');
  if (value.length === 0) return fail('empty request', 'the request is empty');
  if (value.length > MAX_REQUEST_BYTES) {
    return fail(
      'request too large',
      `the request is ${value.length} bytes; at most ${MAX_REQUEST_BYTES} are accepted (a wine is a few hundred)`,
    );
  }
  let text: string;
  try {
    text = utf8.decode(value);
  } catch {
    return fail('not UTF-8', 'the request is not UTF-8 text');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return fail('not JSON', `the request is not JSON (${clip((error as Error).message, 120)})`);
  }
  if (!isPlainObject(json)) {
    return fail(
      'not a JSON object',
      'the request must be a JSON object {"request_id": "...", "input": {...}}',
    );
  }
  const id = json.request_id;
  if (id === undefined || id === null || (typeof id === 'string' && id.trim() === '')) {
    return fail('bad request_id', 'request_id is required');
  }
  if (typeof id !== 'string') {
    return fail(
      'bad request_id',
      `request_id must be text (got ${clip(JSON.stringify(id) ?? typeof id, 40)})`,
    );
  }
  if (id.length > MAX_REQUEST_ID_LENGTH) {
    return fail('bad request_id', `request_id must be at most ${MAX_REQUEST_ID_LENGTH} characters`);
  }
  // The flat form is read in place: the wine fields ignore request_id beside them.
  const raw = 'input' in json ? json.input : json;
  const parsed = parseWineInput(raw, {currentYear: currentYear()});
  if (!parsed.ok) {
    // Classed by the first field at fault, so that letters group into a few stable classes.
    const reason = parsed.errors.map((e) => e.message).join('; ');
    return fail(`invalid ${parsed.errors[0]?.field ?? 'input'}`, reason, id);
  }
  return {ok: true, requestId: id, input: parsed.value};
}
