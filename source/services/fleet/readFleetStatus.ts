import {readTopic} from '../messages/readTopic.js';
import type {Services} from '../connect.js';
import {fleetWarnings, HeartbeatTable, liveInstances, type FleetStatus} from './fleetStatus.js';
import {lagSample, LagTracker} from './LagTracker.js';

/**
 * One reading of a serve group for `wine-tui status`: the status topic read to its end, the
 * group's lag, the dead-letter count and the warnings. The lag in seconds uses the instances'
 * reported rates, since one reading has no drain rate of its own.
 */
export async function readFleetStatus(
  services: Pick<Services, 'bus' | 'registry' | 'config'>,
  group: string,
): Promise<FleetStatus & {knownGroups: string[]; rejected: number}> {
  const {bus, registry, config} = services;
  const {topics} = config;
  const table = new HeartbeatTable();
  const [records, offsets, [dlq], active] = await Promise.all([
    readTopic(bus, topics.status, {idleMs: 2_000}),
    bus.groupOffsets(group, topics.requests),
    bus.listTopics([topics.deadLetters]),
    registry.active(),
  ]);
  for (const record of records) table.add(record);
  const instances = table.instances(group);
  const tracker = new LagTracker();
  tracker.add(lagSample(offsets));
  const lag = tracker.figures(liveInstances(instances).reduce((sum, i) => sum + i.rate, 0));
  const status = {group, instances, lag};
  return {
    ...status,
    deadLetters: dlq ? dlq.partitions.reduce((sum, p) => sum + p.high - p.low, 0) : 0,
    warnings: fleetWarnings(status, active?.version ?? null),
    knownGroups: table.groups(),
    rejected: table.rejected,
  };
}
