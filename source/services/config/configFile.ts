import fs from 'node:fs';
import path from 'node:path';
import {parseDocument} from 'yaml';
import type {z} from 'zod';
import {ConfigError} from '../errors.js';
import {describeIssue} from './issues.js';
import {interpolate} from './interpolate.js';
import {knownKeys, type ConfigFileName} from './schema.js';

export interface ConfigFile<T> {
  /** The file's keys after ${ENV} interpolation and validation; empty if there is no file. */
  values: T;
  /** The file as error lines name it. */
  shown: string;
}

/** Reads one YAML file of the config folder; a missing file is an empty one. */
export function readConfigFile<S extends z.ZodObject>(
  dir: string,
  name: ConfigFileName,
  schema: S,
  env: NodeJS.ProcessEnv,
): ConfigFile<z.infer<S>> {
  const file = path.join(dir, name);
  const shown = displayPath(file);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      return {values: {} as z.infer<S>, shown};
    throw new ConfigError(`${shown}: cannot be read (${(error as Error).message})`);
  }
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    const line = first.linePos?.[0]?.line;
    const reason = first.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw new ConfigError(
      `${shown}${line ? `: line ${line}` : ''}: not valid YAML (${reason}): fix the syntax`,
    );
  }
  const raw: unknown = doc.toJS() ?? {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(`${shown}: must be a mapping of keys to values`);
  }
  const tree = interpolate(raw, env, shown, '');
  const parsed = schema.safeParse(tree);
  if (!parsed.success) {
    throw new ConfigError(
      describeIssue(shown, parsed.error.issues[0]!, tree, (keys) => knownKeys(schema, keys)),
    );
  }
  return {values: parsed.data, shown};
}

/** Relative to the working directory when inside it, absolute otherwise. */
function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') ? relative : file;
}
