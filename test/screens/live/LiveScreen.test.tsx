import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {Profiler} from 'react';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import type {AppServices} from '../../../source/screens/shared/AppContext.js';
import {TAIL_THROTTLE_MS} from '../../../source/screens/live/useTopicTail.js';
import {LiveScreen} from '../../../source/screens/live/LiveScreen.js';
import {loadConfig} from '../../../source/services/config/config.js';
import {openServices} from '../../../source/services/connect.js';
import {
  KEY,
  pressAndWait,
  renderApp,
  renderScreen,
  servicesForEachTest,
  typeAndWait,
  until,
} from '../support.js';

let services: AppServices;
let ui: ReturnType<typeof renderScreen> | undefined;
let renders = 0;

function show(width = 100, height = 30) {
  ui = renderScreen(
    services,
    <Profiler id="live" onRender={() => (renders += 1)}>
      <LiveScreen active width={width} height={height} />
    </Profiler>,
  );
  return ui;
}

const frame = () => ui?.lastFrame() ?? '';
const lines = () => frame().split('\n');
const TITLE = /^[▸ ] (\S+) /;

/** The message lines of one pane (those after its title line, up to the next title). */
function pane(topic: string): string[] {
  const all = lines();
  const start = all.findIndex((line) => TITLE.exec(line)?.[1] === topic);
  if (start < 0) return [];
  const rest = all.slice(start + 1);
  const end = rest.findIndex((line) => TITLE.test(line));
  return (end < 0 ? rest : rest.slice(0, end)).filter((line) => /^\d+:\d+ /.test(line.trim()));
}

const titleOf = (topic: string) => lines().find((line) => TITLE.exec(line)?.[1] === topic) ?? '';
/** The pane of `topic` has the focus. */
const focuses = (topic: string) => () => expect(titleOf(topic)).toMatch(/^▸/);
/** The filter field shows `typed`. */
const filterShows = (typed: string) => `filter / ${typed}`;
/** Only that the key drew a frame: a selection shows as inverse video, which frames lack. */
const drawn = () => {};

async function untilLive() {
  await until(() => {
    expect(frame().match(/waiting for messages/g)).toHaveLength(2);
  });
}

const prediction = (wine: string, price: number) => ({
  wine,
  winery: 'Bodega',
  year: 2015,
  predicted_price: price,
  model_version: 'v1',
});

describe('LiveScreen', () => {
  const env = servicesForEachTest();
  beforeEach(() => {
    services = env.services;
    renders = 0;
  });

  it('shows both topics in their own panes, any value on one line with its offset', async () => {
    show();
    await untilLive();
    await services.bus.publish('train', {value: {version: 'v1', key: 'models/v1.json'}});
    await services.bus.publish('app_messages', {key: 'w1', value: prediction('Rioja', 12.5)});
    await services.bus.publish('app_messages', {value: Buffer.from([0xff, 0xfe, 0x41])});
    await services.bus.publish('app_messages', {value: Buffer.from('not json\nsecond line')});
    await until(() => expect(pane('app_messages')).toHaveLength(3));
    await until(() => expect(pane('train')).toHaveLength(1));

    expect(pane('train')[0]).toMatch(
      /^0:0 \d\d:\d\d:\d\d - \{"version":"v1","key":"models\/v1\.json"\}/,
    );
    const [json, binary, text] = pane('app_messages');
    expect(json).toMatch(/^0:0 \d\d:\d\d:\d\d w1 \{"wine":"Rioja",.*"predicted_price":12\.5/);
    expect(binary).toMatch(/^0:1 .* - \\xff\\xfeA$/);
    expect(text).toMatch(/^0:2 .* - not json\\nsecond line$/);
    // The tail kept going after the odd values.
    await services.bus.publish('app_messages', {value: prediction('Toro', 20)});
    await until(() => expect(pane('app_messages')[3]).toMatch(/^0:3 .*Toro/));
    expect(titleOf('app_messages')).toContain('4 received');
  });

  it('fits 80x24 and gives the selected pane the whole screen with f', async () => {
    show(80, 21);
    await untilLive();
    for (let n = 0; n < 40; n++) {
      await services.bus.publish('app_messages', {
        value: prediction(`wine ${n} ${'x'.repeat(80)}`, n),
      });
    }
    await until(() => expect(titleOf('app_messages')).toContain('40 received'));
    const check = () => {
      expect(lines().length).toBeLessThanOrEqual(21);
      for (const line of lines()) expect(line.length).toBeLessThanOrEqual(80);
    };
    check();
    // Newest at the bottom.
    expect(pane('app_messages').at(-1)).toMatch(/^0:39 /);
    const split = pane('app_messages').length;

    await pressAndWait(ui!, KEY.tab, focuses('app_messages'));
    await pressAndWait(ui!, 'f', () => expect(titleOf('train')).toBe(''));
    check();
    expect(pane('app_messages').length).toBeGreaterThan(split);
    expect(pane('app_messages').at(-1)).toMatch(/^0:39 /);
    await pressAndWait(ui!, 'f', () => expect(titleOf('train')).not.toBe(''));
  });

  it('freezes the view while paused and catches up on resume', async () => {
    show();
    await untilLive();
    await services.bus.publish('app_messages', {value: prediction('Rioja', 10)});
    await until(() => expect(pane('app_messages')).toHaveLength(1));

    await pressAndWait(ui!, ' ', 'PAUSED');
    const frozen = pane('app_messages');
    await services.bus.publish('app_messages', {value: prediction('Toro', 11)});
    await services.bus.publish('app_messages', {value: prediction('Jumilla', 12)});
    // Still counted while paused...
    await until(() => expect(titleOf('app_messages')).toContain('PAUSED +2'));
    // ...but the messages shown do not move: the update that counted them is the one that would
    // have shown them (one snapshot carries both), so no waiting for a late one is needed.
    expect(pane('app_messages')).toEqual(frozen);

    await pressAndWait(ui!, ' ', () => expect(pane('app_messages')).toHaveLength(3));
    expect(frame()).not.toContain('PAUSED');
    expect(pane('app_messages')[2]).toMatch(/^0:2 .*Jumilla/);
  });

  it('filters on the one-line text; Esc clears the filter', async () => {
    show();
    await untilLive();
    for (const [wine, price] of [
      ['Rioja Alta', 10],
      ['Ribera', 11],
      ['Rioja Baja', 12],
    ] as const) {
      await services.bus.publish('app_messages', {value: prediction(wine, price)});
    }
    await until(() => expect(pane('app_messages')).toHaveLength(3));

    await pressAndWait(ui!, '/', 'Enter apply · Esc clear');
    // The field takes the keys, including those the screen would otherwise act on (b, f, space).
    await typeAndWait(ui!, 'rioja b', filterShows);
    await pressAndWait(ui!, KEY.backspace, filterShows('rioja '));
    await pressAndWait(ui!, KEY.backspace, filterShows('rioja'));
    await pressAndWait(ui!, KEY.enter, () => expect(frame()).not.toContain('Enter apply'));
    await until(() => expect(pane('app_messages')).toHaveLength(2));
    expect(pane('app_messages').every((line) => line.includes('Rioja'))).toBe(true);
    expect(frame()).toContain('filter: rioja');
    expect(titleOf('app_messages')).toContain('2 shown');
    expect(titleOf('app_messages')).not.toContain('since earliest');

    // New messages go through the same filter.
    await services.bus.publish('app_messages', {value: prediction('Toro', 13)});
    await services.bus.publish('app_messages', {value: prediction('rioja nueva', 14)});
    await until(() => expect(pane('app_messages')).toHaveLength(3));
    expect(frame()).not.toContain('Toro');

    await pressAndWait(ui!, '/', 'Enter apply · Esc clear');
    await pressAndWait(ui!, KEY.escape, () => expect(pane('app_messages')).toHaveLength(5));
    expect(frame()).not.toContain('filter:');
  });

  it('switches the global keys off while the filter is typed (in the App)', async () => {
    ui = await renderApp(services, 'live');
    await until(() => expect(frame().match(/waiting for messages/g)).toHaveLength(2));
    await pressAndWait(ui, '/', 'Enter apply · Esc clear');
    await typeAndWait(ui, '2q?', filterShows);
    await pressAndWait(ui, KEY.enter, 'filter: 2q?');
    // Keys are global again once the field is closed.
    await pressAndWait(ui, '2', () => expect(frame()).not.toContain('filter: 2q?'));
  });

  it('shows the selected message whole and goes back with Esc', async () => {
    show();
    await untilLive();
    await services.bus.publish('app_messages', {
      key: 'wine-7',
      value: prediction('Priorat', 42.5),
      headers: {'content-type': 'application/json'},
    });
    await services.bus.publish('app_messages', {value: prediction('Toro', 11)});
    await until(() => expect(pane('app_messages')).toHaveLength(2));

    // Tab to the predictions pane, ↑ picks the newest, ↑ again the one before.
    await pressAndWait(ui!, KEY.tab, focuses('app_messages'));
    await pressAndWait(ui!, KEY.up, drawn);
    await pressAndWait(ui!, KEY.up, drawn);
    await pressAndWait(ui!, KEY.enter, 'app_messages · partition 0 · offset 0');
    expect(frame()).toContain('key        wine-7');
    expect(frame()).toContain('content-type: application/json');
    expect(frame()).toMatch(/timestamp {2}\d{4}-\d\d-\d\dT/);
    expect(frame()).toContain('  "predicted_price": 42.5');
    expect(frame()).toContain('  "wine": "Priorat",');
    expect(frame()).not.toContain('Toro');

    await pressAndWait(ui!, KEY.escape, () => expect(pane('app_messages')).toHaveLength(2));
    expect(frame()).not.toContain('partition 0 · offset 0');
  });

  it('replays the selected pane from the earliest offset with b', async () => {
    // Published before the screen starts: a tail from the latest offset does not show them.
    for (let n = 0; n < 3; n++) await services.bus.publish('train', {value: {version: `v${n}`}});
    show();
    await untilLive();
    await services.bus.publish('train', {value: {version: 'v3'}});
    await until(() => expect(pane('train')).toHaveLength(1));
    expect(pane('train')[0]).toMatch(/^0:3 /);

    await pressAndWait(ui!, 'b', () => expect(pane('train')).toHaveLength(4));
    expect(pane('train').map((line) => line.split(' ')[0])).toEqual(['0:0', '0:1', '0:2', '0:3']);
    expect(titleOf('train')).toContain('4 received since earliest');
    // The other pane is untouched.
    expect(titleOf('app_messages')).not.toContain('since earliest');
  });

  it('keeps the buffer bounded and renders far less often than messages arrive', async () => {
    show();
    await untilLive();
    // Every line starts with the partition, so this filter shows the whole buffer's size.
    await pressAndWait(ui!, '/', 'Enter apply · Esc clear');
    await typeAndWait(ui!, '0:', filterShows);
    await pressAndWait(ui!, KEY.enter, 'filter: 0:');
    const before = renders;
    const started = performance.now();
    const total = 5000;
    // In 100 separate writes, so that the tail hands messages over in many separate bursts.
    for (let start = 0; start < total; start += 50) {
      await Promise.all(
        Array.from({length: 50}, (_, i) =>
          services.bus.publish('app_messages', {value: prediction(`w${start + i}`, i)}),
        ),
      );
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await until(() => expect(titleOf('app_messages')).toContain(`${total} received`), 30_000);
    const elapsed = performance.now() - started;
    await until(() => expect(titleOf('app_messages')).toContain('500 shown'));
    expect(pane('app_messages').at(-1)).toMatch(new RegExp(`^0:${total - 1} `));
    const during = renders - before;
    expect(during).toBeGreaterThan(0);
    expect(during).toBeLessThan(total / 20);
    // Not a speed check: however long the flood took, at most one update per throttle interval
    // (plus the once-a-second rate), where one per burst would be about a hundred.
    expect(during).toBeLessThanOrEqual(
      Math.ceil(elapsed / TAIL_THROTTLE_MS) + Math.ceil(elapsed / 1000) + 5,
    );
  }, 60_000);
});

describe('LiveScreen with a topic it cannot tail', () => {
  let dir: string;

  afterEach(async () => {
    ui?.unmount();
    ui = undefined;
    await services.close();
    await fs.rm(dir, {recursive: true, force: true});
  });

  it('shows the error in the pane and keeps tailing the other one', async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'wine-tui-live-'));
    const configDir = path.join(dir, 'config');
    await fs.mkdir(configDir);
    await fs.writeFile(
      path.join(configDir, 'kafka_config.yaml'),
      'topics:\n  app_messages: "no spaces allowed"\n',
    );
    services = await openServices(
      loadConfig({configDir, stateDir: path.join(dir, 'state')}, {HOME: os.tmpdir()}),
    );
    show();
    await until(() => expect(frame()).toContain('tail failed: invalid topic name'));
    await until(() => expect(frame()).toContain('waiting for messages'));
    await services.bus.publish('train', {value: {version: 'v1'}});
    await until(() => expect(pane('train')).toHaveLength(1));
  });
});
