const RULES = '(S3 naming rules)';
const RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
const RESERVED_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];

/**
 * Why `name` is not a valid S3 bucket name (general purpose buckets), as one line; `undefined` when
 * it is valid. Checked before any request so the operator gets the rule instead of an opaque 400.
 */
export function validateBucketName(name: string): string | undefined {
  const fixed = name.toLowerCase().replaceAll('_', '-');
  const suggestion = fixed !== name ? `: use ${fixed} instead of ${name}` : '';
  if (name.length < 3 || name.length > 63) {
    return `bucket name "${name}" must be 3 to 63 characters long ${RULES}`;
  }
  if (name.includes('_')) return `bucket names may not contain underscores ${RULES}${suggestion}`;
  if (/[A-Z]/.test(name))
    return `bucket names may not contain upper-case letters ${RULES}${suggestion}`;
  if (!/^[a-z0-9.-]+$/.test(name)) {
    return `bucket name "${name}" may contain only lower-case letters, digits, dots and hyphens ${RULES}`;
  }
  if (!/^[a-z0-9].*[a-z0-9]$/.test(name)) {
    return `bucket name "${name}" must start and end with a letter or a digit ${RULES}`;
  }
  if (name.includes('..'))
    return `bucket name "${name}" may not contain two dots in a row ${RULES}`;
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) {
    return `bucket name "${name}" may not look like an IP address ${RULES}`;
  }
  const prefix = RESERVED_PREFIXES.find((p) => name.startsWith(p));
  if (prefix) return `bucket names may not start with "${prefix}" ${RULES}`;
  const suffix = RESERVED_SUFFIXES.find((s) => name.endsWith(s));
  if (suffix) return `bucket names may not end with "${suffix}" ${RULES}`;
  return undefined;
}
