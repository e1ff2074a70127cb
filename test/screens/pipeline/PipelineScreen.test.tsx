import fs from 'node:fs/promises';
import path from 'node:path';
import {setTimeout as delay} from 'node:timers/promises';
import {Profiler} from 'react';
import {beforeAll, describe, expect, it, vi} from 'vitest';
import {PipelineScreen} from '../../../source/screens/pipeline/PipelineScreen.js';
import {groupOffsetFile} from '../../../source/services/embedded/groupOffsetFile.js';
import type {Heartbeat} from '../../../source/services/fleet/heartbeat.js';
import {
  summaryOf,
  trainModel,
  type TrainedModel,
} from '../../../source/services/app/modelWorkflow.js';
import {
  KEY,
  pressAndWait,
  renderApp,
  renderScreen,
  servicesForEachTest,
  until,
} from '../support.js';

const env = servicesForEachTest();
let ui: ReturnType<typeof renderScreen> | undefined;
let model: TrainedModel;

beforeAll(async () => {
  model = await trainModel({seed: 3});
}, 30_000);

const frame = () => ui?.lastFrame() ?? '';
/** The line that starts with `text` (an instance's row starts with its id). */
const lineWith = (text: string) =>
  frame()
    .split('\n')
    .find((line) => line.startsWith(text)) ?? '';

/** A heartbeat of serve's default group, as HeartbeatPublisher sends it. */
function heartbeat(id: string, fields: Partial<Heartbeat> = {}): Heartbeat {
  const {config} = env.services;
  return {
    id,
    host: id.split(':')[0]!,
    pid: 100,
    group: config.kafka.groupId,
    state: 'running',
    topic: config.topics.requests,
    partitions: [0],
    version: 'v-one',
    loading: null,
    guarantee: 'at-least-once',
    rate: 10,
    p50_ms: 2,
    p99_ms: 9,
    dead_letters: 0,
    requests_total: 100,
    dead_letters_total: 0,
    interval_ms: 5_000,
    started_at: new Date(Date.now() - 60_000).toISOString(),
    sent_at: new Date().toISOString(),
    ...fields,
  };
}

async function report(...heartbeats: Heartbeat[]) {
  for (const beat of heartbeats) {
    await env.services.bus.publish(env.services.config.topics.status, {key: beat.id, value: beat});
  }
}

async function request(count: number) {
  const {bus, config} = env.services;
  for (let i = 0; i < count; i++) {
    await bus.publish(config.topics.requests, {key: `r-${i}`, value: {request_id: `r-${i}`}});
  }
}

function show(width = 80, height = 21) {
  ui = renderScreen(env.services, <PipelineScreen active width={width} height={height} />);
  return ui;
}

describe('PipelineScreen', () => {
  it('shows one row per instance, the stale one marked in words, and warns first', async () => {
    const published = await env.services.registry.publish(model.bytes, summaryOf(model.artifact));
    await report(
      heartbeat('alpha:1-aaaaaa', {partitions: [0, 1, 2], rate: 12.5, p99_ms: 31}),
      heartbeat('beta:2-bbbbbb', {version: 'v-two', partitions: [], rate: 3, p99_ms: 1500}),
      heartbeat('gamma:3-cccccc', {sent_at: new Date(Date.now() - 60_000).toISOString()}),
    );
    await request(3);
    show();
    await until(() => {
      expect(frame()).toContain('3 instances (1 stale)');
      expect(frame()).toContain(`newest version ${published.version} is not serving`);
    });
    const lines = frame().split('\n');
    // Warnings come first, right under the title.
    expect(lines[1]).toBe('! 1 instance stale: gamma:3-cccccc');
    expect(lines[2]).toBe('! instances serve different versions: v-one, v-two');
    expect(lines[3]).toBe(`! newest version ${published.version} is not serving anywhere yet`);
    expect(lines[4]).toMatch(/^instance +version +parts +req\/s +p99 +seen$/);
    expect(lineWith('alpha:1-aaaaaa')).toMatch(/^alpha:1-aaaaaa +v-one +0-2 +12\.5 +31ms +\d+s$/);
    expect(lineWith('beta:2-bbbbbb')).toMatch(/ v-two +— +3\.0 +1\.5s +\d+s$/);
    // Stale says so in words too, for NO_COLOR terminals.
    expect(lineWith('gamma:3-cccccc')).toMatch(/ 60s stale$/);
    // Lag: nothing committed, so every request waits; the live instances drain at 15.5/s.
    await until(() => expect(frame()).toMatch(/lag 3 \S+ drains in ~0s at 15\.5\/s/));
    expect(frame()).toMatch(/\npartition +committed +end +lag\n0 +— +3 +3\n/);
    // One reading per poll: the first may come before the heartbeats were read.
    expect(frame()).toMatch(/predictions\/s +(15\.5|0\.0) [▁-█]+\n/);
    expect(frame()).toMatch(/dead letters\/s +0\.0 ▁+ 0 in the DLQ/);
  });

  it('shows the challenger, its agreement pooled over the instances, and the largest disagreement', async () => {
    const largest = (id: string, champion: number, challenger: number) => ({
      request_id: id,
      input: {winery: 'Pingus', wine: 'Flor\u0007', year: 2010},
      champion_price: champion,
      challenger_price: challenger,
      pct_diff: Math.abs(challenger - champion) / champion,
    });
    const agreement = (
      count: number,
      mean: number,
      within: number,
      worst: ReturnType<typeof largest>,
    ) =>
      ({
        champion: 'v-one',
        challenger: 'v-two',
        count,
        mean_abs_pct_diff: mean,
        within_10pct: within,
        largest: [worst],
      }) as Heartbeat['agreement'];
    const challenger = {version: 'v-two', loading: null, error: null, canary_percent: 30};
    await report(
      heartbeat('alpha:1-aaaaaa', {
        drift: {region: {psi: 0.45, unknown_rate: 1}, rating: {psi: 0.02, unknown_rate: null}},
        challenger,
        agreement: agreement(100, 0.04, 0.9, largest('r-1', 100, 130)),
      }),
      heartbeat('beta:2-bbbbbb', {
        challenger,
        agreement: agreement(300, 0.08, 0.7, largest('r-2', 200, 320)),
      }),
      heartbeat('gamma:3-cccccc', {
        challenger: {
          version: null,
          loading: 'v-three',
          error: 'the store is unreachable',
          canary_percent: 0,
        },
      }),
    );
    show();
    await until(() =>
      expect(frame()).toContain(
        'challenger v-two (canary 30%)\n400 compared · mean diff 7.0% · 75.0% within 10%\n',
      ),
    );
    // The wine came from a request: its control character is shown escaped.
    expect(frame()).toContain('largest: Pingus Flor\\u0007 2010: €200.00 vs €320.00 (60.0%)');
    expect(frame()).toContain(
      '! challenger v-three not loaded on 1 instance (champion alone): the store is un',
    );
    expect(frame()).toContain('! input drift (PSI > 0.2): region 0.45');
    expect(frame().split('\n').length).toBeLessThanOrEqual(21);
  });

  it('follows the lag down to 0 as the group commits, and says when it does not drain', async () => {
    const {config} = env.services;
    await report(heartbeat('alpha:1-aaaaaa', {rate: 0}));
    await request(4);
    show();
    await until(() => expect(frame()).toMatch(/lag 4 \S+ not draining/));
    expect(frame()).toContain('! lag 4 and not draining');
    const file = groupOffsetFile(config.stateDir, config.kafka.groupId, config.topics.requests);
    await fs.mkdir(path.dirname(file), {recursive: true});
    await fs.writeFile(file, JSON.stringify({next: 4}));
    // The next poll (every 2 s) reads it.
    await until(() => expect(frame()).toMatch(/lag 0 \S+ caught up/));
    expect(frame()).toMatch(/\n0 +4 +4 +0\n/);
    expect(frame()).not.toContain('not draining');
  });

  it('says when no instance has reported, and when the requests topic is missing', async () => {
    show();
    await until(() =>
      expect(frame()).toContain(
        `no heartbeat from group ${env.services.config.kafka.groupId} on wine_tui_status`,
      ),
    );
    expect(frame()).toContain(
      `lag: the requests topic ${env.services.config.topics.requests} does not exist yet`,
    );
  });

  it('says in one line when the offsets cannot be read', async () => {
    vi.spyOn(env.services.bus, 'groupOffsets').mockRejectedValue(new Error('broker down'));
    show();
    await until(() =>
      expect(frame()).toContain("lag: cannot read the group's offsets: broker down (retrying)"),
    );
  });

  it('fits 80×24 with many instances and partitions, scrolling each list', async () => {
    const beats = Array.from({length: 12}, (_, i) =>
      heartbeat(`host-${String(i).padStart(2, '0')}:${i}-abcdef`, {partitions: [i]}),
    );
    await report(...beats);
    // Twelve partitions: the embedded bus makes one, so the offsets are stubbed.
    vi.spyOn(env.services.bus, 'groupOffsets').mockResolvedValue(
      Array.from({length: 12}, (_, partition) => ({partition, committed: 5, end: 7, lag: 2})),
    );
    show(80, 21);
    await until(() => expect(frame()).toContain('12 instances'));
    const lines = () => frame().split('\n');
    expect(lines().length).toBeLessThanOrEqual(21);
    for (const line of lines()) expect(line.length).toBeLessThanOrEqual(80);
    // The two lists share the rows: each says which of its rows it shows.
    expect(lines()).toHaveLength(21);
    expect(frame()).toMatch(/^1-7\/12 ↑↓ +version/m);
    expect(frame()).toMatch(/^1-7\/12 +committed/m);
    await pressAndWait(ui!, KEY.down, /^2-8\/12 ↑↓ +version/m);
    expect(lineWith('host-00')).toBe('');
    expect(lineWith('host-07')).not.toBe('');
    await pressAndWait(ui!, KEY.tab, /^1-7\/12 ↑↓ +committed/m);
    for (let i = 0; i < 8; i++) await pressAndWait(ui!, 'j', () => {});
    // Stops at the last rows.
    expect(frame()).toMatch(/^6-12\/12 ↑↓ +committed/m);
    expect(frame()).toMatch(/^11 +5 +7 +2$/m);
  });

  it('redraws at most about 4 times a second during a burst of heartbeats', async () => {
    let renders = 0;
    ui = renderScreen(
      env.services,
      <Profiler id="pipeline" onRender={() => (renders += 1)}>
        <PipelineScreen active width={80} height={21} />
      </Profiler>,
    );
    await until(() => expect(frame()).toContain('no heartbeat from group'));
    renders = 0;
    const started = Date.now();
    await report(...Array.from({length: 200}, (_, i) => heartbeat(`burst:${i}-000000`)));
    await until(() => expect(frame()).toContain('200 instances'));
    await delay(300);
    const seconds = (Date.now() - started) / 1000;
    expect(renders).toBeLessThanOrEqual(Math.ceil(seconds * 4) + 2);
  });

  it('reads nothing while another screen is shown, and stops again when left', async () => {
    const offsets = vi.spyOn(env.services.bus, 'groupOffsets');
    const app = await renderApp(env.services);
    ui = app;
    await until(() => expect(frame()).toContain('Training options'));
    await delay(300);
    expect(offsets).not.toHaveBeenCalled();
    await pressAndWait(app, '5', 'Pipeline · group');
    await until(() => expect(offsets).toHaveBeenCalled());
    await pressAndWait(app, '1', 'Training options');
    const calls = offsets.mock.calls.length;
    // FleetMonitor polls every 2 s: a running one would have read again by now.
    await delay(2_500);
    expect(offsets.mock.calls.length).toBe(calls);
  });
});
