/** Waits (bounded) until check() holds, polling every `everyMs`; a check that throws counts as not yet. */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean> | boolean,
  {timeoutMs = 60_000, everyMs = 250}: {timeoutMs?: number; everyMs?: number} = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // Not reachable right now (e.g. a broker restarting): try again.
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
