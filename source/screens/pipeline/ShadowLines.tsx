import {Text} from 'ink';
import {memo} from 'react';
import type {FleetAgreement} from '../../services/fleet/fleetAgreement.js';
import {escapeControlChars} from '../../services/messages/controlChars.js';
import {theme, tint} from '../shared/theme.js';

const pct = (share: number) => `${(share * 100).toFixed(1)}%`;
const euros = (price: number) => `€${price.toFixed(2)}`;
// The wine came from a request and then a heartbeat: shown escaped, whatever it holds.
const wine = (input: Record<string, unknown>) =>
  escapeControlChars(
    [input.winery, input.wine, input.year ?? 'N.V.'].map((v) => String(v ?? '-')).join(' '),
  );

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
          ? `largest: ${wine(worst.input as unknown as Record<string, unknown>)}: ${euros(worst.champion_price)} vs ${euros(worst.challenger_price)} (${pct(worst.pct_diff)})`
          : ''}
      </Text>
    </>
  );
});
