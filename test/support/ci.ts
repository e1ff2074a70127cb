/**
 * The one place that decides what a missing real service means: a skip on a developer's machine,
 * a failure under CI, where a skipped integration test would report a green run that tested
 * nothing. Every real-service test that can skip goes through requireOrSkip.
 */

/** CI=true or CI=1, in any case (what CI systems set). */
export function isCi(): boolean {
  return ['true', '1'].includes((process.env.CI ?? '').trim().toLowerCase());
}

/**
 * For `describe.skipIf(requireOrSkip(reason, what))`: no reason, no skip (false). With a reason it
 * throws under CI, failing the file, and otherwise prints the reason and returns true.
 */
export function requireOrSkip(reason: string | false | undefined, what: string): boolean {
  if (!reason) return false;
  if (isCi()) throw new Error(`CI is set and ${what} would be skipped: ${reason}`);
  console.warn(`${what} skipped: ${reason}`);
  return true;
}
