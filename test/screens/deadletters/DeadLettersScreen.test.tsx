import {setTimeout as delay} from 'node:timers/promises';
import {describe, expect, it, vi} from 'vitest';
import {DeadLettersScreen} from '../../../source/screens/deadletters/DeadLettersScreen.js';
import {readTopic} from '../../../source/services/messages/readTopic.js';
import {
  DEAD_LETTER_COPY_BYTES,
  deadLetterMessage,
  REDRIVE_HEADERS,
} from '../../../source/services/predictor/deadLetters.js';
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

const frame = () => ui?.lastFrame() ?? '';
/** The list row of the letter whose key is `key`. */
const rowOf = (key: string) =>
  frame()
    .split('\n')
    .find((line) => new RegExp(`^[› ] \\d+/\\d+ +\\d\\d:\\d\\d:\\d\\d ${key} `).test(line)) ?? '';
const selects = (key: string) => () => expect(rowOf(key)).toMatch(/^›/);

let origin = 0;

/** A dead letter as serve writes it, for a request that failed with `reason` (class `reasonClass`). */
async function deadLetter(
  key: string,
  value: Buffer | null,
  reason: string,
  reasonClass: string,
  headers: Record<string, string> = {},
) {
  const {bus, config} = env.services;
  const record = {
    topic: config.topics.requests,
    partition: 0,
    offset: origin++,
    timestamp: Date.now(),
    key,
    value,
    headers,
    receivedAt: 0,
  };
  const letter = deadLetterMessage(record, {reason, reasonClass}, null, config.topics.deadLetters);
  return bus.publish(config.topics.deadLetters, {
    key: letter.key,
    value: letter.value,
    headers: letter.headers,
  });
}

async function threeLetters() {
  await deadLetter(
    'bad-1',
    Buffer.from('this is not json\n'),
    'not JSON (Unexpected token)',
    'not JSON',
  );
  await deadLetter(
    'old-year',
    Buffer.from('{"request_id":"y1","year":1700}'),
    'year must be 1900 or later',
    'invalid year',
  );
  await deadLetter('bad-2', Buffer.from([0x7b, 0xff, 0xfe]), 'not JSON (not UTF-8)', 'not JSON');
}

function show() {
  ui = renderScreen(env.services, <DeadLettersScreen active width={80} height={21} />);
  return ui;
}

describe('DeadLettersScreen', () => {
  it('groups the letters by reason class with counts, newest first, and opens one', async () => {
    await threeLetters();
    const {deadLetters} = env.services.config.topics;
    const ui = show();
    await until(() =>
      expect(frame()).toContain(`Dead letters on ${deadLetters} · 3 letters in 2 classes`),
    );
    const lines = frame().split('\n');
    // The larger class first; in it, the newest letter first.
    expect(lines[1]).toBe('not JSON · 2 letters');
    expect(lines[2]).toMatch(/^› 0\/2 +\d\d:\d\d:\d\d bad-2 +not JSON \(not UTF-8\)$/);
    expect(lines[3]).toMatch(/^ {2}0\/0 +\d\d:\d\d:\d\d bad-1 +not JSON \(Unexpected token\)$/);
    expect(lines[4]).toBe('invalid year · 1 letter');
    expect(lines[5]).toMatch(/^ {2}0\/1 .* old-year +year must be 1900 or later$/);

    await pressAndWait(ui, KEY.down, selects('bad-1'));
    await pressAndWait(ui, KEY.enter, `Dead letter ${deadLetters}/0/0 · not JSON`);
    expect(frame()).toContain('reason     not JSON (Unexpected token)');
    expect(frame()).toContain('key        bad-1');
    expect(frame()).toContain('  wine-tui-reason-class: not JSON');
    // Text escaped: the newline stays on its line.
    expect(frame()).toMatch(/value \(text\)\n {2}this is not json\\n/);
    await pressAndWait(ui, KEY.escape, 'not JSON · 2 letters');

    await pressAndWait(ui, KEY.up, selects('bad-2'));
    await pressAndWait(ui, KEY.enter, 'value (binary)');
    expect(frame()).toContain('  0000  7b ff fe');
    await pressAndWait(ui, KEY.escape, 'not JSON · 2 letters');
    await pressAndWait(ui, 'j', selects('bad-1'));
    await pressAndWait(ui, 'j', selects('old-year'));
    await pressAndWait(ui, KEY.enter, 'value (json)');
    expect(frame()).toMatch(
      /value \(json\)\n {2}\{\n {4}"request_id": "y1",\n {4}"year": 1700\n {2}\}/,
    );
  });

  it('scrolls a long letter, stopping at its last line', async () => {
    const value = Object.fromEntries(Array.from({length: 30}, (_, i) => [`field${i}`, i]));
    await deadLetter('long', Buffer.from(JSON.stringify(value)), 'wine is required', 'missing');
    const ui = show();
    await until(() => expect(frame()).toContain('missing · 1 letter'));
    await pressAndWait(ui, KEY.enter, 'lines 1-18 of 47');
    for (let i = 1; i <= 29; i++) await pressAndWait(ui, 'j', `lines ${i + 1}-${i + 18} of 47`);
    expect(frame()).toContain('  "field29": 29\n  }');
    // Past the end j changes nothing, so k moves back at once.
    ui.stdin.write('j');
    await delay(100);
    await pressAndWait(ui, 'k', 'lines 29-46 of 47');
  });

  it('redrives a reason class after y/n with the count, with the redrive headers', async () => {
    await threeLetters();
    const {bus, config} = env.services;
    const ui = show();
    await until(() => expect(rowOf('bad-2')).toMatch(/^›/));
    // n sends nothing.
    await pressAndWait(ui, 'R', /redrive letter \S+\/0\/2 \(1 to send\)\? y\/n · to /);
    await pressAndWait(ui, 'n', () => expect(frame()).not.toContain('y/n'));
    await pressAndWait(ui, 'C', 'redrive 2 letters of class "not JSON" (2 to send)? y/n');
    await pressAndWait(ui, 'y', 'redrove 2 letters of class "not JSON": sent 2');
    const sent = await readTopic(bus, config.topics.requests, {idleMs: 500});
    expect(
      sent.map((m) => ({key: m.key, value: m.value?.toString('hex'), headers: m.headers})),
    ).toEqual([
      {
        key: 'bad-1',
        value: Buffer.from('this is not json\n').toString('hex'),
        headers: {
          [REDRIVE_HEADERS.from]: `${config.topics.deadLetters}/0/0`,
          [REDRIVE_HEADERS.count]: '1',
        },
      },
      {
        key: 'bad-2',
        value: '7bfffe',
        headers: {
          [REDRIVE_HEADERS.from]: `${config.topics.deadLetters}/0/2`,
          [REDRIVE_HEADERS.count]: '1',
        },
      },
    ]);
  });

  it('shows each refusal on one line: truncated, over the limit, already redriven', async () => {
    const {config} = env.services;
    await deadLetter(
      'huge',
      Buffer.alloc(DEAD_LETTER_COPY_BYTES + 10, 0x61),
      'too large',
      'too large',
    );
    await deadLetter('looping', Buffer.from('{}'), 'request_id is required', 'no request_id', {
      [REDRIVE_HEADERS.count]: '3',
      [REDRIVE_HEADERS.from]: `${config.topics.deadLetters}/0/99`,
    });
    // Failed again after a redrive from `again-1`, which is then superseded.
    await deadLetter('again', Buffer.from('x'), 'not JSON', 'not JSON');
    await deadLetter('again', Buffer.from('x'), 'not JSON', 'not JSON', {
      [REDRIVE_HEADERS.count]: '1',
      [REDRIVE_HEADERS.from]: `${config.topics.deadLetters}/0/2`,
    });
    const ui = show();
    await until(() => expect(frame()).toContain('4 letters in 3 classes'));
    expect(frame()).toMatch(/ again +\[↻1\] not JSON$/m);
    expect(frame()).toMatch(/ again +\[redriven\] not JSON$/m);
    expect(frame()).toMatch(/ huge +\[truncated\] too large$/m);
    await pressAndWait(ui, 'A', 'redrive all 4 letters (1 to send, 3 refused)? y/n');
    await pressAndWait(ui, 'y', 'redrove all 4 letters: sent 1, refused 3');
    expect(frame()).toContain('0/0 huge: over 64 KiB, only its start was kept: cannot be redriven');
    expect(frame()).toContain(
      '0/1 looping: redriven 3 times, the limit (wine-tui dlq redrive --force)',
    );
    expect(frame()).toContain('0/2 again: already redriven, and failed again as a later letter');
    // The one sent went out with count 2.
    const sent = await readTopic(env.services.bus, config.topics.requests, {idleMs: 500});
    expect(sent.map((m) => m.headers[REDRIVE_HEADERS.count])).toEqual(['2']);
  });

  it('says in one line when the topic is missing, empty, or cannot be read; r reads again', async () => {
    const {bus, config} = env.services;
    const ui = show();
    await until(() =>
      expect(frame()).toContain(
        `${config.topics.deadLetters} does not exist yet: no request has failed`,
      ),
    );
    await bus.ensureTopics([config.topics.deadLetters]);
    await pressAndWait(
      ui,
      'r',
      `no dead letters on ${config.topics.deadLetters}: nothing has failed`,
    );
    const listTopics = vi.spyOn(bus, 'listTopics').mockRejectedValue(new Error('broker down'));
    await pressAndWait(
      ui,
      'r',
      `cannot read ${config.topics.deadLetters}: broker down (r retries)`,
    );
    listTopics.mockRestore();
    await deadLetter('late', Buffer.from('x'), 'not JSON', 'not JSON');
    await pressAndWait(ui, 'r', 'not JSON · 1 letter');
  });

  it('reads the topic only when shown', async () => {
    const {bus, config} = env.services;
    const listTopics = vi.spyOn(bus, 'listTopics');
    const readsOfDlq = () =>
      listTopics.mock.calls.filter(([only]) => only?.includes(config.topics.deadLetters)).length;
    const app = await renderApp(env.services);
    ui = app;
    await until(() => expect(frame()).toContain('Training options'));
    await delay(300);
    expect(readsOfDlq()).toBe(0);
    await pressAndWait(app, '6', 'does not exist yet');
    expect(readsOfDlq()).toBe(1);
  });
});
