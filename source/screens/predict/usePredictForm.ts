import {useCallback, useMemo, useRef, useState} from 'react';
import type {ModelArtifact} from '../../ml/artifact.js';
import {MISSING_CATEGORY} from '../../ml/features.js';
import {NON_VINTAGE, parseWineInput, type ParseResult} from '../../ml/input.js';
import type {CategoricalFeature} from '../../ml/options.js';

export type FieldName =
  'winery' | 'wine' | 'year' | 'region' | 'type' | 'rating' | 'body' | 'acidity' | 'num_reviews';

const BASE_FIELDS: FieldName[] = ['winery', 'wine', 'year', 'region', 'type', 'rating', 'body'];
/** Shown only when the active model was trained with them. */
const OPTIONAL_FIELDS: FieldName[] = ['acidity', 'num_reviews'];

const currentYear = new Date().getUTCFullYear();

/** What an empty field shows: the same rules parseWineInput applies. */
export const PLACEHOLDERS: Record<FieldName, string> = {
  winery: 'required',
  wine: 'required',
  year: `1900-${currentYear} or ${NON_VINTAGE}`,
  region: 'required',
  type: 'optional',
  rating: '0-5, required',
  body: '1-5',
  acidity: '1-5',
  num_reviews: 'whole number >= 0',
};

export function formFields(features: readonly string[] | undefined): FieldName[] {
  return [...BASE_FIELDS, ...OPTIONAL_FIELDS.filter((name) => features?.includes(name))];
}

export type Vocabularies = Partial<Record<CategoricalFeature, string[]>>;

/** Every category the model knows per categorical field (rare "other" levels are known too). */
export function vocabulariesOf(artifact: ModelArtifact | undefined): Vocabularies {
  const result: Vocabularies = {};
  for (const block of artifact?.features.categorical ?? []) {
    result[block.name] = [...block.vocabulary, ...block.other]
      .filter((level) => level !== MISSING_CATEGORY)
      .sort((a, b) => a.localeCompare(b));
  }
  return result;
}

/**
 * The best few matches for what was typed, case-insensitive: prefix matches first, then matches
 * at the start of a word, then anywhere; vocabulary order within each. The exact value is left out.
 */
export function suggest(vocabulary: readonly string[], typed: string, limit = 4): string[] {
  const text = typed.trim();
  const needle = text.toLowerCase();
  if (needle === '') return [];
  const ranked: [string[], string[], string[]] = [[], [], []];
  for (const word of vocabulary) {
    if (word === text) continue;
    const lower = word.toLowerCase();
    const at = lower.indexOf(needle);
    if (at === 0) ranked[0].push(word);
    else if (at > 0 && lower.includes(` ${needle}`)) ranked[1].push(word);
    else if (at > 0) ranked[2].push(word);
    if (ranked[0].length >= limit) break;
  }
  return ranked.flat().slice(0, limit);
}

/** Whether the model knows the value as typed (categories are case-sensitive; years are numbers). */
export function isKnown(field: FieldName, value: string, vocabularies: Vocabularies): boolean {
  if (!isCategorical(field)) return true;
  let category = value.trim();
  if (field === 'year') {
    if (category.toUpperCase() === NON_VINTAGE) category = NON_VINTAGE;
    else if (/^\d+$/.test(category)) category = String(Number(category));
  }
  // A field the model does not one-hot (e.g. year, an age in model v2) has no unknown values.
  const levels = vocabularies[field];
  return levels === undefined || levels.includes(category);
}

export function isCategorical(field: FieldName): field is CategoricalFeature & FieldName {
  return (
    field === 'winery' ||
    field === 'wine' ||
    field === 'year' ||
    field === 'region' ||
    field === 'type'
  );
}

const EMPTY: Record<FieldName, string> = {
  winery: '',
  wine: '',
  year: '',
  region: '',
  type: '',
  rating: '',
  body: '',
  acidity: '',
  num_reviews: '',
};

export interface PredictForm {
  fields: FieldName[];
  values: Record<FieldName, string>;
  /** The field with the keyboard, or null when none has it. */
  focused: FieldName | null;
  /** parseWineInput over the visible fields: exactly what `wine-tui predict` accepts. */
  parsed: ParseResult;
  /** Errors to show: fields with a value, and every field once the operator tried to predict. */
  errors: Partial<Record<FieldName, string>>;
  suggestions: string[];
  /** Whether the focused field's value is a category the model knows. */
  known: boolean;
  /** Focus and parse result as of the last action, for key handlers (may be ahead of a render). */
  now: () => {focused: FieldName | null; parsed: ParseResult};
  focus: (field: FieldName | null) => void;
  /** Next (+1) or previous (-1) field, wrapping; from no field, the first or the last. */
  move: (step: 1 | -1) => void;
  type: (text: string) => void;
  erase: () => void;
  clear: () => void;
  /** Replaces the focused field's value with its first suggestion. */
  accept: () => void;
  markSubmitted: () => void;
}

interface FormState {
  values: Record<FieldName, string>;
  chosen: FieldName | null;
  submitted: boolean;
}

function parseFields(fields: FieldName[], values: Record<FieldName, string>): ParseResult {
  return parseWineInput(Object.fromEntries(fields.map((name) => [name, values[name]])));
}

export function usePredictForm(fields: FieldName[], vocabularies: Vocabularies): PredictForm {
  const [state, setState] = useState<FormState>({values: EMPTY, chosen: null, submitted: false});
  // Keys can arrive faster than React renders (a busy machine, several keys in one read): each
  // action starts from the state the previous action left, not from the last render's.
  const latest = useRef(state);
  const update = useCallback((change: (current: FormState) => FormState) => {
    latest.current = change(latest.current);
    setState(latest.current);
  }, []);
  // A field the new model does not use disappears, and with it the focus.
  const focusedIn = useCallback(
    (current: FormState) =>
      current.chosen !== null && fields.includes(current.chosen) ? current.chosen : null,
    [fields],
  );

  const {values, submitted} = state;
  const focused = focusedIn(state);
  const parsed = useMemo(() => parseFields(fields, values), [fields, values]);
  const errors = useMemo(() => {
    const shown: Partial<Record<FieldName, string>> = {};
    if (parsed.ok) return shown;
    for (const error of parsed.errors) {
      const field = error.field as FieldName;
      if (submitted || values[field]?.trim()) shown[field] = error.message;
    }
    return shown;
  }, [parsed, submitted, values]);
  const suggestions = useMemo(() => {
    if (focused === null || !isCategorical(focused)) return [];
    return suggest(vocabularies[focused] ?? [], values[focused]);
  }, [focused, values, vocabularies]);
  const known = focused !== null && isKnown(focused, values[focused], vocabularies);

  const edit = useCallback(
    (change: (value: string, field: FieldName) => string) =>
      update((current) => {
        const field = focusedIn(current);
        if (field === null) return current;
        return {
          ...current,
          values: {...current.values, [field]: change(current.values[field], field)},
        };
      }),
    [update, focusedIn],
  );
  return {
    fields,
    values,
    focused,
    parsed,
    errors,
    suggestions,
    known,
    now: useCallback(
      () => ({
        focused: focusedIn(latest.current),
        parsed: parseFields(fields, latest.current.values),
      }),
      [fields, focusedIn],
    ),
    focus: useCallback((field) => update((current) => ({...current, chosen: field})), [update]),
    move: useCallback(
      (step) =>
        update((current) => {
          const field = focusedIn(current);
          const index = field === null ? (step === 1 ? -1 : 0) : fields.indexOf(field);
          const chosen = fields[(index + step + fields.length) % fields.length] ?? null;
          return {...current, chosen};
        }),
      [update, focusedIn, fields],
    ),
    type: useCallback((text: string) => edit((value) => value + text), [edit]),
    erase: useCallback(() => edit((value) => Array.from(value).slice(0, -1).join('')), [edit]),
    clear: useCallback(() => edit(() => ''), [edit]),
    accept: useCallback(
      () =>
        edit((value, field) =>
          isCategorical(field) ? (suggest(vocabularies[field] ?? [], value)[0] ?? value) : value,
        ),
      [edit, vocabularies],
    ),
    markSubmitted: useCallback(
      () => update((current) => ({...current, submitted: true})),
      [update],
    ),
  };
}
