import {useState} from 'react';
import {DEFAULT_TRAIN_OPTIONS, type TrainOptions} from '../../ml/options.js';
import {errorLine} from '../shared/errorLine.js';
import {applyOptionText, OPTION_FIELDS, type OptionField} from './trainOptionFields.js';

export interface TrainOptionsState {
  options: TrainOptions;
  selected: number;
  field: OptionField;
  /** Why the last value typed was refused (the option kept its value). */
  error: string | undefined;
  /** The next (+1) or previous (-1) option. */
  move: (step: 1 | -1) => void;
  /** Flips the selected yes/no option. */
  toggle: () => void;
  /** Sets the selected option from what was typed, or keeps it and says why not. */
  save: (text: string) => void;
  clearError: () => void;
}

/** The training options the Train screen edits, validated as training would. */
export function useTrainOptions(): TrainOptionsState {
  const [options, setOptions] = useState<TrainOptions>(DEFAULT_TRAIN_OPTIONS);
  const [selected, setSelected] = useState(0);
  const [error, setError] = useState<string | undefined>(undefined);
  const field = OPTION_FIELDS[selected] ?? OPTION_FIELDS[0];
  return {
    options,
    selected,
    field,
    error,
    move: (step) => setSelected((s) => Math.min(OPTION_FIELDS.length - 1, Math.max(0, s + step))),
    toggle: () => {
      if (field.kind !== 'toggle') return;
      setOptions((o) => ({...o, [field.key]: !o[field.key]}));
      setError(undefined);
    },
    save: (text) => {
      if (field.kind === 'toggle') return;
      try {
        setOptions(applyOptionText(options, field.key, text));
        setError(undefined);
      } catch (refused) {
        setError(errorLine(refused));
      }
    },
    clearError: () => setError(undefined),
  };
}
