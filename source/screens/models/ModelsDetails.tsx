import {Box, Text} from 'ink';
import {memo, type ReactNode} from 'react';
import type {ModelVersion} from '../../services/registry/ModelRegistry.js';
import type {ModelDetailsState} from './useModelDetails.js';
import {theme, tint} from '../shared/theme.js';
import {formatBytes, formatTime} from '../shared/metricsFormat.js';
import {MetricsTable} from '../shared/MetricsTable.js';
import {meanStd, r2Summary} from '../../services/app/evaluationText.js';

const LABEL = 9;

function Field({label, children}: {label: string; children: ReactNode}) {
  return (
    <Text wrap="truncate-end">
      <Text color={tint(theme.accent)}>{label.padEnd(LABEL)}</Text>
      {children}
    </Text>
  );
}

interface Props {
  version: ModelVersion;
  state: ModelDetailsState;
  height: number;
}

/** One version: options, data, metrics against the median baseline, largest weights, digests. */
export const ModelsDetails = memo(function ModelsDetails({version, state, height}: Props) {
  const {details} = state;
  const flags = [version.active ? 'active' : '', version.announced ? 'announced' : 'not announced']
    .filter(Boolean)
    .join(', ');
  const header = (
    <>
      <Text bold wrap="truncate-end">
        {version.version}{' '}
        <Text color={tint(version.active ? theme.good : theme.muted)}>({flags})</Text>
      </Text>
      <Field label="sha256">{version.sha256 ?? '—'}</Field>
      <Field label="signer">{version.keyId ?? 'unsigned'}</Field>
    </>
  );
  if (!details) {
    return (
      <Box flexDirection="column">
        {header}
        {state.error ? (
          <Text wrap="truncate-end" color={tint(theme.bad)}>
            {state.error}
          </Text>
        ) : (
          <Text color={tint(theme.muted)}>loading the artifact…</Text>
        )}
      </Box>
    );
  }
  const {options, rows} = details;
  const repeated = r2Summary(details.evaluation ?? undefined);
  // Rows above the weights: header 3, created, 2 options, data, splits, metrics 3, weights title.
  const weightRows = Math.max(0, height - 11 - (repeated ? 1 : 0));
  const weights = details.largest_weights.slice(0, weightRows);
  const nameWidth = Math.max(0, ...weights.map((w) => w.column.length));
  return (
    <Box flexDirection="column">
      {header}
      <Field label="created">
        {formatTime(details.created_at, true)} · wine-tui {details.wine_tui_version} ·{' '}
        {formatBytes(version.size)}
      </Field>
      <Field label="features">{options.features.join(', ')}</Field>
      <Field label="options">
        alpha {options.alpha} · log target {options.logTarget ? 'yes' : 'no'} · min count{' '}
        {options.minCount} · test size {options.testSize} · seed {options.seed}
      </Field>
      <Field label="data">
        {rows.records} rows, {rows.invalid} invalid, {rows.unique} unique: {rows.train} train /{' '}
        {rows.test} test · {details.columns} columns
      </Field>
      {repeated && details.evaluation ? (
        <Field label="splits">
          {repeated} · MAPE {meanStd(details.evaluation.metrics.mape)} · this split R²{' '}
          {details.metrics.r2.toFixed(3)}
        </Field>
      ) : null}
      <MetricsTable
        rows={[
          {label: 'model', metrics: details.metrics},
          {label: 'median', metrics: details.baseline},
        ]}
      />
      {weights.length > 0 ? <Text bold>largest weights</Text> : null}
      {weights.map((w) => (
        <Text key={w.column} wrap="truncate-end">
          {'  '}
          {w.column.padEnd(nameWidth)} {(w.weight >= 0 ? '+' : '') + w.weight.toFixed(4)}
        </Text>
      ))}
    </Box>
  );
});
