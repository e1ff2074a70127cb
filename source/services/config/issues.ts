import type {z} from 'zod';

/** The wording of schema problems: one line naming the file, the key and the fix. */

function editDistance(a: string, b: string): number {
  const row = Array.from({length: b.length + 1}, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

function valueAt(tree: unknown, keys: PropertyKey[]): unknown {
  let node = tree;
  for (const key of keys) {
    if (!node || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

/** One line for the first problem zod found, naming file, key and fix. */
export function describeIssue(
  file: string,
  issue: z.core.$ZodIssue,
  tree: unknown,
  knownKeys: (keys: PropertyKey[]) => string[],
): string {
  const at = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    const full = at ? `${at}.${key}` : key;
    if (/secret|access.?key|aws_/i.test(key)) {
      return `${file}: unknown key "${full}": credentials do not belong in the file; use AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or an AWS profile`;
    }
    const candidates = knownKeys(issue.path);
    const close = candidates
      .map((c) => ({c, d: editDistance(key, c)}))
      .sort((x, y) => x.d - y.d)[0];
    const hint =
      close && close.d <= 3 ? `did you mean "${close.c}"?` : `known keys: ${candidates.join(', ')}`;
    return `${file}: unknown key "${full}": remove it or fix its name (${hint})`;
  }
  const got = describeValue(valueAt(tree, issue.path));
  if (issue.code === 'invalid_value') {
    return `${file}: ${at} must be one of ${issue.values.map((v) => String(v)).join(', ')} (got ${got})`;
  }
  if (issue.code === 'invalid_type') {
    return `${file}: ${at} must be a ${issue.expected} (got ${got}): fix the value${issue.expected === 'string' ? ' or quote it' : ''}`;
  }
  return `${file}: ${at}: ${issue.message}`;
}
