import {Box, Text} from 'ink';
import {useCallback, useEffect, useMemo, useState} from 'react';
import {DEFAULT_TRAIN_OPTIONS, type TrainOptions} from '../../ml/options.js';
import {type ScreenProps, useFocusState} from '../shared/AppContext.js';
import {errorLine} from '../shared/metricsFormat.js';
import {TrainHoldoutPlot} from './TrainHoldoutPlot.js';
import {METRICS_TABLE_WIDTH, TrainMetricsTable, type MetricsRow} from './TrainMetricsTable.js';
import {TrainOptionsList} from './TrainOptionsList.js';
import {TrainSteps} from './TrainSteps.js';
import {applyOptionText, editText, OPTION_FIELDS} from './trainOptionFields.js';
import {useActiveVersion} from '../shared/useAnnouncements.js';
import {useHoldout} from './useHoldout.js';
import {useTrainer} from './useTrainer.js';
import {useKeys} from '../input/useKeys.js';
import {keys} from '../input/keyBindings.js';
import {theme, tint} from '../shared/theme.js';

const MIN_PLOT_WIDTH = 30;

/** Screen 1: edit the training options, train with them, compare, publish. */
export function TrainScreen({active, width, height}: ScreenProps) {
  const [options, setOptions] = useState<TrainOptions>(DEFAULT_TRAIN_OPTIONS);
  const [selected, setSelected] = useState(0);
  const [editing, setEditing] = useState<string | undefined>(undefined);
  const [optionError, setOptionError] = useState<string | undefined>(undefined);
  const {setTyping} = useFocusState();
  const {state, train, publish} = useTrainer();
  const activeVersion = useActiveVersion();
  const {model} = state;
  const holdout = useHoldout(model?.artifact, state.dataPath);

  // A field left mid-edit must not keep the global keys off after this screen is gone.
  const isEditing = editing !== undefined;
  useEffect(() => {
    if (!isEditing) return;
    return () => setTyping(false);
  }, [isEditing, setTyping]);

  const field = OPTION_FIELDS[selected] ?? OPTION_FIELDS[0];
  const stopEditing = useCallback(() => {
    setEditing(undefined);
    setTyping(false);
  }, [setTyping]);

  const save = useCallback(
    (text: string) => {
      if (field.kind === 'toggle') return;
      try {
        setOptions(applyOptionText(options, field.key, text));
        setOptionError(undefined);
      } catch (error) {
        // The old value stays; the field closes so the operator sees it and the reason together.
        setOptionError(errorLine(error));
      }
      stopEditing();
    },
    [field, options, stopEditing],
  );

  useKeys(
    (input, key) => {
      if (keys.up(input, key)) setSelected((s) => Math.max(0, s - 1));
      else if (keys.down(input, key)) setSelected((s) => Math.min(OPTION_FIELDS.length - 1, s + 1));
      else if (input === ' ' && field.kind === 'toggle') {
        setOptions((o) => ({...o, logTarget: !o.logTarget}));
        setOptionError(undefined);
      } else if (key.return && field.kind !== 'toggle') {
        setEditing(editText(options, field.key));
        setOptionError(undefined);
        setTyping(true);
      } else if (input === 't') train(options);
      else if (input === 'p') publish();
    },
    {isActive: active && editing === undefined},
  );
  useKeys(
    (_input, key) => {
      if (key.escape) stopEditing();
    },
    {isActive: active && editing !== undefined},
  );

  const metricsRows = useMemo<MetricsRow[]>(() => {
    if (!model) return [];
    return [
      {label: 'new', metrics: model.artifact.metrics},
      {
        label: 'active',
        metrics: activeVersion?.metrics,
        note: 'none announced yet',
      },
      {label: 'median', metrics: model.artifact.baseline.metrics},
    ];
  }, [model, activeVersion]);

  if (!active) return null;

  const showSteps = state.training || state.trainError !== undefined;
  const progressRows = showSteps ? Math.max(1, state.steps.length) : 1;
  // Title, six options, the message line, progress, train error, publish line and the key hint.
  const usedRows = 1 + OPTION_FIELDS.length + 1 + progressRows + (state.trainError ? 1 : 0) + 2;
  const resultRows = Math.max(0, height - usedRows);
  const plotBeside = width - METRICS_TABLE_WIDTH - 2 >= MIN_PLOT_WIDTH;
  const tableRows = metricsRows.length + 2;
  const plotHeight = plotBeside ? resultRows : resultRows - tableRows;
  const plotWidth = plotBeside ? width - METRICS_TABLE_WIDTH - 2 : width;
  const showResults = model !== undefined && !state.training && resultRows >= tableRows;

  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      <Text bold>Training options</Text>
      <TrainOptionsList
        options={options}
        selected={selected}
        editing={editing}
        focus={active && editing !== undefined}
        onChange={setEditing}
        onSubmit={save}
      />
      {optionError ? (
        <Text wrap="truncate-end" color={tint(theme.bad)}>
          {optionError}
        </Text>
      ) : (
        <Text wrap="truncate-end" color={tint(theme.muted)}>
          {editing !== undefined
            ? field.kind === 'list'
              ? 'comma-separated feature names · Enter saves · Esc cancels'
              : 'Enter saves · Esc cancels'
            : ' '}
        </Text>
      )}
      {showSteps ? (
        <TrainSteps steps={state.steps} running={state.training} />
      ) : (
        <Text wrap="truncate-end" color={tint(model ? theme.good : theme.muted)}>
          {model
            ? `✓ trained ${model.artifact.id} · ${model.artifact.data.rows.train} train / ${model.artifact.data.rows.test} test · fit ${Math.round(model.fitMs)} ms`
            : 'press t to train with these options'}
        </Text>
      )}
      {state.trainError ? (
        <Text wrap="truncate-end" color={tint(theme.bad)}>
          training failed: {state.trainError}
        </Text>
      ) : null}
      {showResults ? (
        <Box flexDirection={plotBeside ? 'row' : 'column'} height={resultRows}>
          <Box flexDirection="column" width={METRICS_TABLE_WIDTH} marginRight={plotBeside ? 2 : 0}>
            <TrainMetricsTable rows={metricsRows} />
            {activeVersion && tableRows < resultRows ? (
              <Text wrap="truncate-end" color={tint(theme.muted)}>
                active: {activeVersion.version}
              </Text>
            ) : null}
            {plotBeside && tableRows + 1 < resultRows ? (
              <Text wrap="truncate-end" color={tint(theme.muted)}>
                plot: smooth = actual, ragged = predicted
              </Text>
            ) : null}
          </Box>
          {plotHeight >= 4 ? (
            <TrainHoldoutPlot
              pairs={holdout.pairs}
              error={holdout.error}
              width={plotWidth}
              height={plotHeight}
            />
          ) : null}
        </Box>
      ) : (
        <Box height={resultRows} />
      )}
      <PublishLine state={state} />
      <Text wrap="truncate-end" color={tint(theme.muted)}>
        ↑↓ select · Enter edit · space toggle · t train · p publish · ? keys
      </Text>
    </Box>
  );
}

function PublishLine({state}: {state: ReturnType<typeof useTrainer>['state']}) {
  if (state.publishError) {
    return (
      <Text wrap="truncate-end" color={tint(theme.bad)}>
        publish failed: {state.publishError}
      </Text>
    );
  }
  if (state.publishing) {
    return <Text color={tint(theme.muted)}>publishing…</Text>;
  }
  if (state.published) {
    const p = state.published;
    return (
      <Text wrap="truncate-end" color={tint(theme.good)}>
        published {p.key} → {p.topic}/{p.partition} offset {p.offset}
      </Text>
    );
  }
  return (
    <Text wrap="truncate-end" color={tint(theme.muted)}>
      {state.model ? 'p publishes this model (upload, then announce)' : ' '}
    </Text>
  );
}
