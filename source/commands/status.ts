import {loadConfig} from '../services/config/config.js';
import {openServices} from '../services/connect.js';
import {InvalidInputError} from '../services/errors.js';
import type {InstanceStatus} from '../services/fleet/fleetStatus.js';
import {readFleetStatus} from '../services/fleet/readFleetStatus.js';
import {fleetDrift} from '../services/fleet/fleetDrift.js';
import {liveInstances} from '../services/fleet/fleetStatus.js';
import {type Command, connectionHelp, overridesFrom} from './command.js';

export const statusCommand: Command = {
  usage: `
  Usage
    $ wine-tui status [--group NAME] [--json]

  The predictor fleet of one serve group: every instance that reported on the status topic
  (wine_tui_status) with its host, version, partitions, rate, latency and when it was last seen
  (stale after three missed heartbeats; stopped instances are listed for ten minutes), the group's
  lag on the requests topic per partition with an estimate in seconds, the dead-letter count, and
  warnings (lag not draining, stale instances, instances on different versions, the newest
  version not serving anywhere).

  --json prints one object:
    {group, instances: [{id, host, state, version, loading, partitions, rate, p50_ms, p99_ms,
     dead_letters, last_seen, stale, challenger, agreement}], lag: {total, seconds, partitions:
     [{partition, committed, end, lag}]}, dead_letters: {total}, drift, warnings: [...]}
  drift: null, or per input field {psi, unknown_rate}: the population stability index of the
  recent requests (up to 2,000 per instance) against the serving model's training rows, and the
  share with a category it never saw (null for numeric fields); the worst over the live instances.
  Above 0.2 a field has shifted (a warning).
  challenger: null, or {version, loading, error, canary_percent}; agreement (with a challenger in
  use): {champion, challenger, count, mean_abs_pct_diff, within_10pct, largest: [{request_id,
  input, champion_price, challenger_price, pct_diff}]}, over the requests the instance scored with
  both since this pair started.

  Options
    --group NAME   the serve group (default: group.id from kafka_config.yaml)
    --json         one JSON object instead of lines
${connectionHelp}
`,
  flags: {group: {type: 'string'}, json: {type: 'boolean'}},
  async run({input, flags}, io) {
    if (input.length > 0) {
      throw new InvalidInputError(`status takes no arguments (got "${input[0]}"): see --help`);
    }
    if (flags.group !== undefined && String(flags.group).trim() === '') {
      throw new InvalidInputError('--group needs a name');
    }
    const config = loadConfig(overridesFrom(flags));
    const group = typeof flags.group === 'string' ? flags.group.trim() : config.kafka.groupId;
    const services = await openServices(config, {onWarning: (m) => io.stderr(`warning: ${m}`)});
    try {
      const status = await readFleetStatus(services, group);
      const {lag} = status;
      if (status.rejected > 0) {
        io.stderr(
          `warning: ${status.rejected} record(s) on ${config.topics.status} are not heartbeats; skipped`,
        );
      }
      const partitions = lag?.partitions ?? [];
      if (partitions.length === 0) {
        io.stderr(
          `requests topic ${config.topics.requests} does not exist yet (wine-tui serve creates it): no lag to show`,
        );
      }
      const unknown =
        status.instances.length === 0 &&
        partitions.length > 0 &&
        partitions.every((p) => p.committed === null);
      if (unknown) {
        const seen = status.knownGroups.length
          ? ` (groups that reported: ${status.knownGroups.join(', ')})`
          : '';
        io.stderr(
          `no instance of group ${group} has reported on ${config.topics.status}, and the group has committed nothing on ${config.topics.requests}${seen}`,
        );
      }
      const drift = fleetDrift(liveInstances(status.instances));
      if (flags.json) {
        io.stdout(
          JSON.stringify({
            group,
            instances: status.instances.map(instanceJson),
            lag: {
              total: lag?.total ?? 0,
              seconds: lag?.seconds ?? null,
              not_draining: lag?.notDraining ?? false,
              partitions: (lag?.partitions ?? []).map(({partition, committed, end, lag: l}) => ({
                partition,
                committed,
                end,
                lag: l,
              })),
            },
            dead_letters: {total: status.deadLetters},
            drift,
            warnings: status.warnings,
          }),
        );
        return 0;
      }
      const live = status.instances.filter((i) => i.state !== 'stopped' && !i.stale).length;
      io.stdout(
        `group ${group}: ${live} instance(s) serving, lag ${lag?.total ?? 0}` +
          (lag?.notDraining
            ? ' (not draining)'
            : lag?.seconds
              ? ` (~${lag.seconds.toFixed(1)} s)`
              : '') +
          `, ${status.deadLetters ?? 0} dead letter(s) on ${config.topics.deadLetters}`,
      );
      for (const warning of status.warnings) io.stdout(`warning: ${warning}`);
      if (drift) io.stdout(driftLine(drift));
      for (const instance of status.instances) io.stdout(instanceLine(instance));
      for (const p of lag?.partitions ?? []) {
        io.stdout(
          `partition ${p.partition}: committed ${p.committed ?? '-'}, end ${p.end}, lag ${p.lag}`,
        );
      }
      return 0;
    } finally {
      await services.close();
    }
  },
};

function instanceJson(i: InstanceStatus) {
  return {
    id: i.id,
    host: i.host,
    state: i.state,
    version: i.version,
    loading: i.loading,
    partitions: i.partitions,
    rate: i.rate,
    p50_ms: i.p50_ms,
    p99_ms: i.p99_ms,
    dead_letters: i.dead_letters_total,
    last_seen: i.last_seen,
    stale: i.stale,
    drift: i.drift,
    challenger: i.challenger,
    agreement: i.agreement,
  };
}

function instanceLine(i: InstanceStatus): string {
  const state = i.state === 'stopped' ? 'stopped' : i.stale ? 'STALE' : i.state;
  const ago = Math.max(0, Math.round((Date.now() - Date.parse(i.last_seen)) / 1000));
  return (
    `instance ${i.id} ${state}: version ${i.version ?? '-'}` +
    (i.loading ? ` (loading ${i.loading})` : '') +
    `, partitions ${i.partitions.join(',') || '-'}, ${i.rate.toFixed(1)} req/s, ` +
    `p99 ${i.p99_ms === null ? '-' : `${i.p99_ms} ms`}, ${i.dead_letters_total} dead letter(s), ` +
    `last seen ${ago} s ago` +
    challengerText(i)
  );
}

const pct = (share: number) => `${(share * 100).toFixed(1)}%`;

function challengerText({challenger, agreement}: InstanceStatus): string {
  if (!challenger) return '';
  const role = challenger.canary_percent > 0 ? `canary ${challenger.canary_percent}%` : 'shadow';
  let text = `; challenger ${challenger.version ?? '-'} (${role})`;
  if (challenger.loading) text += ` loading ${challenger.loading}`;
  if (challenger.error) text += ` not loaded: ${challenger.error}`;
  if (agreement) {
    text +=
      `, ${agreement.count} compared, mean difference ${pct(agreement.mean_abs_pct_diff)}, ` +
      `${pct(agreement.within_10pct)} within 10%`;
  }
  return text;
}

function driftLine(drift: NonNullable<ReturnType<typeof fleetDrift>>): string {
  const fields = Object.entries(drift).map(
    ([field, f]) =>
      `${field} ${f!.psi.toFixed(2)}` +
      (f!.unknown_rate ? ` (${(f!.unknown_rate * 100).toFixed(0)}% unknown)` : ''),
  );
  return `input drift (PSI): ${fields.join(', ')}`;
}
