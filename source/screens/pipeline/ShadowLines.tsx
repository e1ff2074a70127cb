import {Text} from 'ink';
import {memo} from 'react';
import type {FleetAgreement} from '../../services/fleet/fleetAgreement.js';
import {formatEuros as euros, formatPercent as pct, wineLabel} from '../shared/metricsFormat.js';
import {theme, tint} from '../shared/theme.js';

/**
 * Three lines (a version id takes half of 80 columns): the challenger, its agreement with the
 * champion (the instances' version), and its largest disagreement.
 */
export const ShadowLines = memo(function ShadowLines({agreement}: {agreement: FleetAgreement}) {
  const role = agreement.canaryPercent > 0 ? `canary ${agreement.canaryPercent}%` : 'shadow';
  const worst = agreement.largest[0];
  return (
    <>
      <Text wrap="truncate-end">
        <Text color={tint(theme.accent)}>challenger</Text> {agreement.challenger} ({role})
      </Text>
      <Text wrap="truncate-end">
        {agreement.count} compared · mean diff {pct(agreement.mean_abs_pct_diff)} ·{' '}
        {pct(agreement.within_10pct)} within 10%
      </Text>
      <Text wrap="truncate-end" color={tint(theme.muted)}>
        {worst
          ? `largest: ${wineLabel(worst.input)}: ${euros(worst.champion_price)} vs ${euros(worst.challenger_price)} (${pct(worst.pct_diff)})`
          : ''}
      </Text>
    </>
  );
});
