// Every secret any loaded configuration held, so that a last-resort error line can still hide them.
const registeredSecrets = new Set<string>();

/** Shorter values would blank out ordinary words of the text they are hidden from. */
const MIN_SECRET_LENGTH = 4;

/** Keeps the values worth hiding and remembers them for the whole process; returns those kept. */
export function registerSecrets(candidates: (string | undefined)[]): string[] {
  const secrets = candidates.filter(
    (secret): secret is string => (secret ?? '').length >= MIN_SECRET_LENGTH,
  );
  for (const secret of secrets) registeredSecrets.add(secret);
  return secrets;
}

/** Removes every known secret from a text before it is shown or logged. */
export function redact(text: string, secrets: Iterable<string> = registeredSecrets): string {
  let out = text;
  for (const secret of secrets) {
    if (secret) out = out.split(secret).join('***');
  }
  return out;
}
