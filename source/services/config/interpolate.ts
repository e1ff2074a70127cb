import {ConfigError} from '../errors.js';

/** Replaces ${NAME} and ${NAME:-default} in every string of a parsed YAML tree. */
export function interpolate(
  value: unknown,
  env: NodeJS.ProcessEnv,
  file: string,
  keyPath: string,
): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_m, name, fallback) => {
      const found = env[name as string];
      if (found !== undefined && found !== '') return found;
      if (fallback !== undefined) return fallback as string;
      throw new ConfigError(
        `${file}: ${keyPath} refers to \${${name}}, which is not set: export ${name} or edit the file`,
      );
    });
  }
  if (Array.isArray(value))
    return value.map((v, i) => interpolate(v, env, file, `${keyPath}[${i}]`));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        interpolate(v, env, file, keyPath ? `${keyPath}.${k}` : k),
      ]),
    );
  }
  return value;
}
