import {FEATURE_SETS, resolveTrainOptions, type TrainOptions} from '../../ml/options.js';

/** The options the Train screen lists, in order, with how each is shown and edited. */
export const OPTION_FIELDS = [
  {key: 'features', label: 'features', kind: 'list'},
  {key: 'alpha', label: 'alpha', kind: 'number'},
  {key: 'logTarget', label: 'log target', kind: 'toggle'},
  {key: 'minCount', label: 'min count', kind: 'number'},
  {key: 'testSize', label: 'test size', kind: 'number'},
  {key: 'seed', label: 'seed', kind: 'number'},
  {key: 'excludeSuspect', label: 'drop suspect', kind: 'toggle'},
] as const satisfies readonly {key: keyof TrainOptions; label: string; kind: string}[];

export type OptionField = (typeof OPTION_FIELDS)[number];

export function showOption(options: TrainOptions, key: keyof TrainOptions): string {
  const value = options[key];
  if (Array.isArray(value)) return value.join(', ');
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return String(value);
}

/** The text a field's editor starts with. */
export function editText(options: TrainOptions, key: keyof TrainOptions): string {
  const value = options[key];
  return Array.isArray(value) ? value.join(',') : String(value);
}

/**
 * The options with one field replaced by what was typed, validated by the same rules as training
 * (resolveTrainOptions): throws its one-line ModelError on bad input. Features are a comma list
 * or a set's name (default, classic). Alpha may be `auto`.
 */
export function applyOptionText(
  options: TrainOptions,
  key: Exclude<keyof TrainOptions, 'logTarget' | 'excludeSuspect'>,
  text: string,
): TrainOptions {
  const trimmed = text.trim();
  let value: unknown;
  if (key === 'features' && FEATURE_SETS[trimmed]) {
    value = [...(FEATURE_SETS[trimmed] as readonly string[])];
  } else if (key === 'features') {
    value = trimmed
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name !== '');
  } else {
    // Non-numbers go through as text so the error quotes what was typed.
    value = trimmed !== '' && !Number.isNaN(Number(trimmed)) ? Number(trimmed) : trimmed;
  }
  return resolveTrainOptions({...options, [key]: value});
}
