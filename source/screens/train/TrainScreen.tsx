import {Box, Text} from 'ink';
import {useMemo} from 'react';
import type {ScreenProps} from '../shared/AppContext.js';
import {MetricsTable, METRICS_TABLE_WIDTH, type MetricsRow} from '../shared/MetricsTable.js';
import {theme, tint} from '../shared/theme.js';
import {useActiveVersion} from '../shared/useAnnouncements.js';
import {useCommands} from '../input/useCommands.js';
import {useTextField} from '../input/useTextField.js';
import {TrainHoldoutPlot} from './TrainHoldoutPlot.js';
import {TrainOptionsList} from './TrainOptionsList.js';
import {TrainPublishLine} from './TrainPublishLine.js';
import {TrainSteps} from './TrainSteps.js';
import {editText, OPTION_FIELDS} from './trainOptionFields.js';
import {useHoldout} from './useHoldout.js';
import {useTrainer} from './useTrainer.js';
import {useTrainOptions} from './useTrainOptions.js';
import {TrainEvaluationLines, evaluationLineCount} from './TrainEvaluationLines.js';

/** Seeded splits the evaluate action fits (seeds 1..30), as the README's figures. */
export const EVALUATE_REPEATS = 30;

const MIN_PLOT_WIDTH = 30;

/** Screen 1: edit the training options, train with them, compare, publish. */
export function TrainScreen({active, width, height}: ScreenProps) {
  const {options, selected, field, error: optionError, ...edit} = useTrainOptions();
  const {state, train, publish} = useTrainer();
  const activeVersion = useActiveVersion();
  const {model} = state;
  const holdout = useHoldout(model?.artifact, state.dataPath);
  const editor = useTextField({isActive: active, onSubmit: edit.save});
  const editing = editor.line !== undefined;

  useCommands(
    {
      up: () => edit.move(-1),
      down: () => edit.move(1),
      ...(field.kind === 'toggle'
        ? {toggle: edit.toggle}
        : {
            select: () => {
              editor.open(editText(options, field.key));
              edit.clearError();
            },
          }),
      train: () => train(options),
      evaluate: () => train(options, EVALUATE_REPEATS),
      publish,
    },
    {isActive: active && !editing},
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
  const evaluationRows = showSteps ? 0 : evaluationLineCount(model);
  // Title, the options, the message line, progress, evaluation and suspect lines, train error,
  // publish line and the key hint.
  const usedRows =
    1 + OPTION_FIELDS.length + 1 + progressRows + evaluationRows + (state.trainError ? 1 : 0) + 2;
  const resultRows = Math.max(0, height - usedRows);
  const plotBeside = width - METRICS_TABLE_WIDTH - 2 >= MIN_PLOT_WIDTH;
  const tableRows = metricsRows.length + 2;
  const plotHeight = plotBeside ? resultRows : resultRows - tableRows;
  const plotWidth = plotBeside ? width - METRICS_TABLE_WIDTH - 2 : width;
  const showResults = model !== undefined && !state.training && resultRows >= tableRows;

  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      <Text bold>Training options</Text>
      <TrainOptionsList options={options} selected={selected} editing={editor.line} />
      {optionError ? (
        <Text wrap="truncate-end" color={tint(theme.bad)}>
          {optionError}
        </Text>
      ) : (
        <Text wrap="truncate-end" color={tint(theme.muted)}>
          {editing
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
            : 'press t to train with these options, e to evaluate them on 30 splits'}
        </Text>
      )}
      {evaluationRows > 0 && model ? <TrainEvaluationLines model={model} /> : null}
      {state.trainError ? (
        <Text wrap="truncate-end" color={tint(theme.bad)}>
          training failed: {state.trainError}
        </Text>
      ) : null}
      {showResults ? (
        <Box flexDirection={plotBeside ? 'row' : 'column'} height={resultRows}>
          <Box flexDirection="column" width={METRICS_TABLE_WIDTH} marginRight={plotBeside ? 2 : 0}>
            <MetricsTable rows={metricsRows} />
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
      <TrainPublishLine state={state} />
      <Text wrap="truncate-end" color={tint(theme.muted)}>
        ↑↓ select · Enter edit · space toggle · t train · e evaluate · p publish · ? keys
      </Text>
    </Box>
  );
}
