import {Box, Text} from 'ink';
import {type ReactNode, useEffect, useMemo, useState} from 'react';
import {type ScreenProps, useFocusState, useServices} from '../shared/AppContext.js';
import {PredictField, PredictFieldNote} from './PredictField.js';
import {PredictResult, RESULT_ROWS} from './PredictResult.js';
import {PredictSuggestions} from './PredictSuggestions.js';
import {useActiveModel} from '../shared/useActiveModel.js';
import {NO_MODEL_LINE, PredictModelLine} from './PredictModelLine.js';
import {usePrediction} from './usePrediction.js';
import {
  type FieldName,
  formFields,
  isCategorical,
  PLACEHOLDERS,
  usePredictForm,
  vocabulariesOf,
} from './usePredictForm.js';
import {theme, tint} from '../shared/theme.js';
import {type CommandHandlers, useCommands} from '../input/useCommands.js';

/**
 * Prices one wine with the active model and publishes the prediction to app_messages. The form
 * starts with no field focused (global keys work); Tab or Enter takes the first field, Esc leaves.
 * Inside a field Enter predicts and the field keeps the keyboard, so the operator can adjust a
 * value and predict again.
 */
export function PredictScreen({active, width, height}: ScreenProps) {
  const {config} = useServices();
  const {setTyping} = useFocusState();
  const modelState = useActiveModel();
  const {model, error: loadError, reload} = modelState;
  const fields = useMemo(() => formFields(model?.artifact.training.options.features), [model]);
  const vocabularies = useMemo(() => vocabulariesOf(model?.artifact), [model]);
  const form = usePredictForm(fields, vocabularies);
  const prediction = usePrediction();
  const [notice, setNotice] = useState<string>();

  // Global keys (1-4, q, ?) are off exactly while one of our fields has the keyboard. The key
  // handler says so at once, in the frame the key draws (the next key waits for that frame, not
  // for effects); the effect covers focus lost otherwise (a model without that field, the screen
  // hidden or unmounted).
  const typing = active && form.focused !== null;
  useEffect(() => {
    if (!typing) return;
    setTyping(true);
    return () => setTyping(false);
  }, [typing, setTyping]);

  const submit = () => {
    form.markSubmitted();
    const {parsed} = form.now();
    if (!parsed.ok) {
      const count = parsed.errors.length;
      setNotice(`Fix the field${count === 1 ? '' : 's'} marked ✕ first`);
    } else if (!model) {
      setNotice(
        modelState.version === undefined
          ? NO_MODEL_LINE
          : loadError !== undefined
            ? `The model did not load: ${loadError}`
            : 'The model is still loading: try again in a moment',
      );
    } else {
      setNotice(undefined);
      prediction.predict(model, parsed.value);
    }
  };

  const takeField = (step: 1 | -1) => {
    form.move(step);
    setTyping(true);
  };
  // Any key the form acts on, but Enter, clears the last notice.
  const thenClearNotice = (handlers: CommandHandlers): CommandHandlers =>
    Object.fromEntries(
      Object.entries(handlers).map(([command, run]) => [
        command,
        () => {
          run?.();
          setNotice(undefined);
        },
      ]),
    );
  const inForm = form.focused !== null;
  useCommands(
    inForm
      ? {
          select: submit,
          ...thenClearNotice({
            back: () => {
              form.focus(null);
              setTyping(false);
            },
            nextField: () => form.move(1),
            previousField: () => form.move(-1),
            acceptSuggestion: form.accept,
            erase: form.erase,
            clearField: form.clear,
          }),
        }
      : {
          previousField: () => takeField(-1),
          nextField: () => takeField(1),
          select: () => takeField(1),
          ...(loadError !== undefined ? {retry: reload} : {}),
        },
    {
      isActive: active,
      ...(inForm
        ? {
            onText: (text: string) => {
              form.type(text);
              setNotice(undefined);
            },
          }
        : {}),
    },
  );

  const outcome = prediction.outcome;
  const stale = useMemo(() => {
    if (!outcome) return false;
    const current = form.parsed.ok ? JSON.stringify(form.parsed.value) : '';
    return current !== JSON.stringify(outcome.message.input);
  }, [outcome, form.parsed]);

  if (!active) return null;

  const focused = form.focused;
  const status = prediction.busy
    ? {text: 'Predicting and publishing…', color: theme.muted}
    : (notice ?? prediction.error)
      ? {text: notice ?? prediction.error ?? '', color: theme.bad}
      : undefined;

  // Lines under the fields (errors, suggestions) get the rows left once everything else is
  // placed, the focused field's first: the screen never grows past `height`.
  const notes = new Map<FieldName, ReactNode[]>();
  const spare = height - 1 - fields.length - (outcome ? RESULT_ROWS + 1 : 0) - (status ? 1 : 0) - 1;
  const blank = spare > 0;
  let room = spare - (blank ? 1 : 0);
  const addNote = (field: FieldName, node: ReactNode) => {
    if (room <= 0) return;
    room -= 1;
    notes.set(field, [...(notes.get(field) ?? []), node]);
  };
  if (focused !== null) {
    const error = form.errors[focused];
    if (error) addNote(focused, <PredictFieldNote key="error" text={error} color={theme.bad} />);
    const value = form.values[focused];
    if (
      isCategorical(focused) &&
      model &&
      (form.suggestions.length > 0 || (value.trim() !== '' && !form.known))
    ) {
      addNote(
        focused,
        <PredictSuggestions
          key="suggestions"
          suggestions={form.suggestions}
          value={value}
          known={form.known}
        />,
      );
    }
  }
  for (const field of fields) {
    const error = form.errors[field];
    if (field !== focused && error) {
      addNote(field, <PredictFieldNote key="error" text={error} color={theme.bad} />);
    }
  }

  const first = form.suggestions[0];
  const typed = focused === null ? '' : form.values[focused];
  const ghost =
    first !== undefined && typed !== '' && first.toLowerCase().startsWith(typed.toLowerCase())
      ? first.slice(typed.length)
      : '';

  return (
    <Box flexDirection="column" width={width}>
      <PredictModelLine state={modelState} />
      {blank ? <Box height={1} /> : null}
      {fields.map((field) => (
        <Box key={field} flexDirection="column">
          <PredictField
            label={field}
            value={form.values[field]}
            placeholder={PLACEHOLDERS[field]}
            focused={field === focused}
            ghost={field === focused ? ghost : ''}
            invalid={form.errors[field] !== undefined}
            width={width}
          />
          {notes.get(field)}
        </Box>
      ))}
      {outcome ? (
        <>
          <Box height={1} />
          <PredictResult outcome={outcome} topic={config.topics.predictions} stale={stale} />
        </>
      ) : null}
      {status ? (
        <Text color={tint(status.color)} wrap="truncate-end">
          {status.text}
        </Text>
      ) : null}
      <Text color={tint(theme.muted)} wrap="truncate-end">
        {focused === null
          ? 'Tab or Enter: fill in the form · ? all keys'
          : 'Tab/Shift+Tab field · → accept · Enter predict · Esc leave · Ctrl+U clear'}
      </Text>
    </Box>
  );
}
