import {Box, Text} from 'ink';
import {useState} from 'react';
import {fleetAgreement} from '../../services/fleet/fleetAgreement.js';
import {fleetWarnings, liveInstances} from '../../services/fleet/fleetStatus.js';
import {keyLabel} from '../input/keyBindings.js';
import {useCommands} from '../input/useCommands.js';
import type {ScreenProps} from '../shared/AppContext.js';
import {theme, tint} from '../shared/theme.js';
import {useActiveVersion} from '../shared/useAnnouncements.js';
import {InstanceTable} from './InstanceTable.js';
import {LagTable} from './LagTable.js';
import {PipelineRates} from './PipelineRates.js';
import {PipelineWarnings, warningRows} from './PipelineWarnings.js';
import {ShadowLines} from './ShadowLines.js';
import {splitRows} from './pipelineFormat.js';
import {useFleet} from './useFleet.js';

type Focus = 'instances' | 'partitions';

const HINT = `${keyLabel(['up', 'down'])} scroll · ${keyLabel(['pane'])} instances/partitions · live, 4 updates/s at most`;

/**
 * Screen 5: the serve group at a glance. Warnings first, then the instances, the lag on the
 * requests topic, and the prediction and dead-letter rates; at 80×24 the two tables share the
 * rows left and scroll.
 */
export function PipelineScreen({active, width, height}: ScreenProps) {
  const fleet = useFleet(active);
  const newest = useActiveVersion()?.version ?? null;
  const [focus, setFocus] = useState<Focus>('instances');
  const [scroll, setScroll] = useState<Record<Focus, number>>({instances: 0, partitions: 0});

  const {snapshot} = fleet;
  const instances = snapshot?.instances ?? [];
  const partitions = snapshot?.lag?.partitions ?? [];
  const warnings = snapshot ? fleetWarnings(snapshot, newest) : [];
  if (snapshot && snapshot.rejected > 0) {
    warnings.push(
      `${snapshot.rejected} record${snapshot.rejected === 1 ? '' : 's'} on ${fleet.statusTopic} not heartbeats (last: ${snapshot.lastRejection ?? '?'})`,
    );
  }
  const agreement = fleetAgreement(liveInstances(instances));
  // Title, warnings, the instances' header, the lag line and header, two rate lines, the
  // challenger's three lines when one is compared, the hint.
  const warningLines = warningRows(warnings.length);
  const lagTableShown = partitions.length > 0;
  const fixed = 6 + warningLines + (lagTableShown ? 1 : 0) + (agreement ? 3 : 0);
  const [instanceRows, partitionRows] = lagTableShown
    ? splitRows(Math.max(2, height - fixed), instances.length, partitions.length)
    : [Math.max(1, height - fixed), 0];
  const limits: Record<Focus, number> = {
    instances: Math.max(0, instances.length - instanceRows),
    partitions: Math.max(0, partitions.length - partitionRows),
  };
  const move = (by: number) =>
    setScroll((s) => ({...s, [focus]: Math.min(limits[focus], Math.max(0, s[focus] + by))}));
  useCommands(
    {
      up: () => move(-1),
      down: () => move(1),
      pane: () => setFocus((f) => (f === 'instances' ? 'partitions' : 'instances')),
    },
    {isActive: active},
  );

  if (!active) return null;
  const stale = instances.filter((i) => i.stale).length;
  const stopped = instances.filter((i) => i.state === 'stopped').length;
  const notServing = [stale > 0 ? `${stale} stale` : '', stopped > 0 ? `${stopped} stopped` : '']
    .filter(Boolean)
    .join(', ');
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      <Text bold wrap="truncate-end">
        Pipeline · group {fleet.group} · {instances.length} instance
        {instances.length === 1 ? '' : 's'}
        <Text color={tint(theme.muted)}>{notServing ? ` (${notServing})` : ''}</Text>
      </Text>
      {!snapshot ? (
        <Text color={tint(theme.muted)}>reading {fleet.statusTopic} and the group&apos;s lag…</Text>
      ) : (
        <>
          <PipelineWarnings warnings={warnings} rows={warningLines} />
          {instances.length === 0 ? (
            <Box height={instanceRows + 1}>
              <Text color={tint(theme.muted)} wrap="truncate-end">
                no heartbeat from group {fleet.group} on {fleet.statusTopic}: start `wine-tui serve`
              </Text>
            </Box>
          ) : (
            <Box height={instanceRows + 1} flexDirection="column">
              <InstanceTable
                instances={instances}
                now={fleet.takenAt}
                scroll={scroll.instances}
                rows={instanceRows}
                focused={focus === 'instances'}
              />
            </Box>
          )}
          <LagTable
            lag={snapshot.lag}
            lagError={snapshot.lagError}
            requestsTopic={fleet.requestsTopic}
            scroll={scroll.partitions}
            rows={partitionRows}
            focused={focus === 'partitions'}
          />
          <PipelineRates
            predictionRates={snapshot.predictionRates}
            deadLetterRates={snapshot.deadLetterRates}
            deadLetters={snapshot.deadLetters}
          />
          {agreement ? <ShadowLines agreement={agreement} /> : null}
        </>
      )}
      <Box flexGrow={1} />
      <Text wrap="truncate-end" color={tint(theme.muted)}>
        {HINT}
      </Text>
    </Box>
  );
}
