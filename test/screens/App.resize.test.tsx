import {stripVTControlCharacters} from 'node:util';
import {describe, expect, it} from 'vitest';
import {renderApp, servicesForEachTest, until} from './support.js';

// The App follows terminal resizes: Ink and useTerminalSize read stdout.columns/rows again on
// 'resize', as they do when a real terminal (or an SSH client's window) changes size.

const env = servicesForEachTest();
let ui: Awaited<ReturnType<typeof renderApp>> | undefined;

const lines = () => stripVTControlCharacters(ui?.lastFrame() ?? '').split('\n');
const width = (line: string) => [...line].length;

/** What a terminal does on a resize: new columns and rows, then a 'resize' event. */
function resize(columns: number, rows: number) {
  const stdout = ui!.stdout;
  // The test stdout has a fixed columns getter and no rows: own properties shadow it.
  Object.defineProperty(stdout, 'columns', {value: columns, configurable: true});
  Object.defineProperty(stdout, 'rows', {value: rows, configurable: true});
  stdout.emit('resize');
}

/** The frame fits the terminal: no line wider, and fewer lines than rows (no full redraws). */
function expectFits(columns: number, rows: number) {
  const all = lines();
  expect(all.length, all.join('\n')).toBeLessThan(rows);
  for (const line of all) expect(width(line), line).toBeLessThanOrEqual(columns);
}

/** Ink's truncate-end: the text if it fits, else its first columns-1 characters and '…'. */
const truncated = (text: string, columns: number) =>
  width(text) <= columns ? text : `${[...text].slice(0, columns - 1).join('')}…`;

describe('App on a terminal resize', () => {
  it('widens and narrows the status line with the terminal', async () => {
    ui = await renderApp(env.services);
    resize(120, 30);
    const {bus, store} = env.services;
    // Both probes up: the line is then fixed (no active version yet).
    const full = `active none ● ${bus.description} ● ${store.description}`;
    // The temp folder is in both descriptions: longer than 80 columns, so 80 must truncate it.
    expect(width(full)).toBeGreaterThan(80);
    await until(() => expect(lines()[1]?.trimEnd()).toBe(truncated(full, 120)));
    expectFits(120, 30);

    resize(80, 24);
    await until(() => expect(lines()[1]?.trimEnd()).toBe(truncated(full, 80)));
    expectFits(80, 24);

    resize(132, 24);
    await until(() => expect(lines()[1]?.trimEnd()).toBe(truncated(full, 132)));
    expectFits(132, 24);
  });

  it('shrinks and grows the live area with the rows, keeping the footer in view', async () => {
    ui = await renderApp(env.services);
    resize(80, 30);
    const footer = /t train · e evaluate · p publish/;
    // Ink redraws at once with the new width; the App's own size follows a moment later.
    await until(() => {
      expectFits(80, 30);
      expect(lines().at(-1)).toMatch(footer);
    });
    expect(lines().join('\n')).toContain('Training options');
    const tall = lines().length;

    resize(80, 16);
    await until(() => expect(lines().length).toBe(tall - 14));
    expectFits(80, 16);
    expect(lines().at(-1)).toMatch(footer);
    expect(lines().join('\n')).toContain('Training options');

    resize(80, 24);
    await until(() => expect(lines().length).toBe(tall - 6));
    expectFits(80, 24);
    expect(lines().at(-1)).toMatch(footer);
  });

  it('shows more of each Live message when wider and fewer messages when shorter', async () => {
    ui = await renderApp(env.services, 'live');
    resize(80, 24);
    await until(() => {
      expectFits(80, 24);
      expect(
        lines()
          .join('\n')
          .match(/waiting for messages/g),
      ).toHaveLength(2);
    });
    for (let n = 0; n < 30; n++) {
      await env.services.bus.publish('app_messages', {
        key: `wine-${n}`,
        value: {n, note: `${'long value '.repeat(20)}end ${n}`},
      });
    }
    const newest = () => lines().find((line) => line.startsWith('0:29 ')) ?? '';
    const messages = () => lines().filter((line) => /^0:\d+ /.test(line)).length;
    await until(() => expect(newest()).not.toBe(''));
    const narrow = newest();
    expect(width(narrow)).toBe(80);
    expect(narrow.endsWith('…')).toBe(true);
    expectFits(80, 24);
    const before = messages();

    resize(120, 24);
    await until(() => expect(width(newest())).toBe(120));
    // The same message: what was cut at 80 columns now goes on.
    expect(newest().startsWith(narrow.slice(0, -1))).toBe(true);
    expectFits(120, 24);

    resize(120, 14);
    await until(() => expect(messages()).toBeLessThan(before));
    expectFits(120, 14);
    // The newest message stays in view at the bottom of its pane.
    expect(newest()).not.toBe('');
  });
});
