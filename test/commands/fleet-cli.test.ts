/**
 * `wine-tui status`, `dlq`, `request` and serve's metrics flags on the embedded bus: the built CLI
 * as a child process, with a state folder of its own (WINE_TUI_STATE_DIR) that the test also
 * writes through a LocalBus, and the repository's config folder.
 */
import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {LocalBus} from '../../source/services/embedded/LocalBus.js';
import {HeartbeatPublisher} from '../../source/services/fleet/HeartbeatPublisher.js';
import {readTopic} from '../../source/services/messages/readTopic.js';
import {deadLetterMessage, REDRIVE_HEADERS} from '../../source/services/predictor/deadLetters.js';
import type {RequestRecord} from '../../source/services/ports/RequestStream.js';
import {oneLineError, runCli} from '../support/cli.js';
import {repoRoot} from '../support/process.js';
import {heartbeat} from '../services/fleet/fleetSupport.js';

const CONFIG_DIR = path.join(repoRoot, 'config');
const TOPICS = {
  status: 'wine_tui_status',
  requests: 'predict_requests',
  deadLetters: 'predict_requests.dlq',
  predictions: 'app_messages',
};
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const WINE = {winery: 'Vega Sicilia', wine: 'Unico', region: 'Ribera del Duero', rating: 4.8};

describe('fleet commands on the embedded bus', () => {
  let stateDir: string;
  let bus: LocalBus;

  beforeEach(async () => {
    stateDir = await mkdtemp(path.join(os.tmpdir(), 'wine-tui-fleet-cli-'));
    bus = new LocalBus({stateDir});
  });

  afterEach(async () => {
    await bus.close();
    await rm(stateDir, {recursive: true, force: true});
  });

  const cli = (...args: string[]) =>
    runCli([...args, '--config-dir', CONFIG_DIR], {env: {WINE_TUI_STATE_DIR: stateDir}});
  const lines = (text: string) => text.split('\n').filter((line) => line !== '');

  async function heartbeatOf(id: string, group: string) {
    const publisher = new HeartbeatPublisher({
      bus,
      topic: TOPICS.status,
      group,
      requests: TOPICS.requests,
      guarantee: 'at-least-once',
      figures: () => ({
        partitions: [0],
        version: 'v7',
        loading: 'v8',
        rate: 2,
        p50_ms: 1.5,
        p99_ms: 6,
        dead_letters: 0,
        requests_total: 40,
        dead_letters_total: 3,
      }),
      id,
    });
    publisher.start();
    // stop() sends the final record after the first one: a "stopped" instance, listed for 10 min.
    return publisher;
  }

  describe('status', () => {
    it('says in one stderr line that no instance of the group reported, naming it', async () => {
      await bus.ensureTopics([TOPICS.requests]);
      const result = await cli('status', '--group', 'blue');
      expect(result.code).toBe(0);
      const [line, ...more] = lines(result.stderr);
      expect(more).toEqual([]);
      expect(line).toContain('group blue');
      expect(line).toContain(TOPICS.status);
      expect(lines(result.stdout)).toEqual([
        `group blue: 0 instance(s) serving, lag 0, 0 dead letter(s) on ${TOPICS.deadLetters}`,
        'partition 0: committed -, end 0, lag 0',
      ]);
    });

    it('names the groups that did report when the asked one did not', async () => {
      await bus.ensureTopics([TOPICS.requests]);
      const other = await heartbeatOf('host-x:1-aaaaaa', 'green');
      await other.stop();
      const result = await cli('status', '--group', 'blue');
      expect(result.code).toBe(0);
      expect(lines(result.stderr)).toHaveLength(1);
      expect(result.stderr).toMatch(/group blue.*groups that reported: green/);
    });

    it('says in one line that the requests topic does not exist yet', async () => {
      const result = await cli('status');
      expect(result.code).toBe(0);
      expect(lines(result.stderr)).toHaveLength(1);
      expect(result.stderr).toContain(TOPICS.requests);
    });

    it('prints the documented JSON: instances, lag per partition, dead letters, warnings', async () => {
      for (let i = 0; i < 3; i++) {
        await bus.publish(TOPICS.requests, {key: `r-${i}`, value: {request_id: `r-${i}`}});
      }
      await bus.publish(TOPICS.deadLetters, {key: 'k', value: {reason: 'x'}});
      const publisher = await heartbeatOf('host-a:42-abcdef', 'wine-tui');
      await publisher.stop();
      const result = await cli('status', '--json');
      expect(result.code).toBe(0);
      const status = JSON.parse(result.stdout) as Record<string, unknown>;
      expect(Object.keys(status).sort()).toEqual(
        ['dead_letters', 'drift', 'group', 'instances', 'lag', 'warnings'].sort(),
      );
      expect(status.group).toBe('wine-tui');
      const instances = status.instances as Array<Record<string, unknown>>;
      expect(instances).toHaveLength(1);
      expect(Object.keys(instances[0]!).sort()).toEqual(
        [
          'id',
          'host',
          'state',
          'version',
          'loading',
          'partitions',
          'rate',
          'p50_ms',
          'p99_ms',
          'dead_letters',
          'last_seen',
          'stale',
          'challenger',
          'agreement',
          'drift',
        ].sort(),
      );
      // No challenger, no requests answered: nothing to compare, no drift yet.
      expect(status.drift).toBeNull();
      expect(instances[0]).toMatchObject({challenger: null, agreement: null, drift: null});
      expect(instances[0]).toMatchObject({
        id: 'host-a:42-abcdef',
        host: 'host-a',
        state: 'stopped',
        version: 'v7',
        loading: 'v8',
        partitions: [],
        rate: 2,
        p50_ms: 1.5,
        p99_ms: 6,
        dead_letters: 3,
        stale: false,
      });
      expect(Date.parse(instances[0]!.last_seen as string)).not.toBeNaN();
      expect(status.lag).toMatchObject({
        total: 3,
        partitions: [{partition: 0, committed: null, end: 3, lag: 3}],
      });
      expect(status.dead_letters).toEqual({total: 1});
      expect(status.warnings).toEqual(['3 requests waiting and no instance is serving']);
    });

    it('shows an instance whose heartbeats stopped coming (a crash) as stale, with a warning', async () => {
      await bus.ensureTopics([TOPICS.requests]);
      const crashed = heartbeat({
        id: 'host-k:9-dead00',
        host: 'host-k',
        group: 'wine-tui',
        interval_ms: 1_000,
        sent_at: new Date(Date.now() - 3_500).toISOString(),
      });
      const live = heartbeat({
        id: 'host-l:8-a11ve0',
        host: 'host-l',
        group: 'wine-tui',
        interval_ms: 60_000,
        sent_at: new Date().toISOString(),
      });
      for (const h of [crashed, live]) await bus.publish(TOPICS.status, {key: h.id, value: h});
      const result = await cli('status', '--json');
      expect(result.code).toBe(0);
      const status = JSON.parse(result.stdout) as {
        instances: Array<{id: string; stale: boolean; state: string}>;
        warnings: string[];
      };
      expect(status.instances.map((i) => [i.id, i.state, i.stale])).toEqual([
        ['host-k:9-dead00', 'running', true],
        ['host-l:8-a11ve0', 'running', false],
      ]);
      expect(status.warnings).toContain('1 instance stale: host-k:9-dead00');
      const plain = await cli('status');
      expect(plain.stdout).toMatch(/^instance host-k:9-dead00 STALE: version v1/m);
      expect(plain.stdout).toMatch(/^group wine-tui: 1 instance\(s\) serving, lag 0/m);
    });

    it('refuses arguments and an empty group with one line, exit 2', async () => {
      expect(oneLineError(await cli('status', 'extra'))).toMatch(/status takes no arguments/);
      expect(oneLineError(await cli('status', '--group', ' '))).toMatch(/--group needs a name/);
    });
  });

  describe('dlq', () => {
    let nextOffset = 0;
    async function letter(value: string, headers: Record<string, string> = {}) {
      const request: RequestRecord = {
        topic: TOPICS.requests,
        partition: 0,
        offset: nextOffset++,
        timestamp: Date.now(),
        key: `key-${value}`,
        value: Buffer.from(value),
        headers,
        receivedAt: 0,
      };
      const message = deadLetterMessage(
        request,
        {reason: 'the request is not JSON (Unexpected token)', reasonClass: 'not JSON'},
        null,
        TOPICS.deadLetters,
      );
      await bus.publish(TOPICS.deadLetters, {
        key: message.key,
        value: message.value,
        headers: message.headers ?? {},
      });
    }

    it('says in one line, exit 0, that there is nothing to list', async () => {
      const missing = await cli('dlq', 'list');
      expect(missing.code).toBe(0);
      expect(missing.stdout).toBe('');
      expect(lines(missing.stderr)).toHaveLength(1);
      expect(missing.stderr).toContain(TOPICS.deadLetters);

      await bus.ensureTopics([TOPICS.deadLetters]);
      const empty = await cli('dlq', 'list', '--json');
      expect(empty.code).toBe(0);
      expect(empty.stdout).toBe('');
      expect(lines(empty.stderr)).toEqual([`no dead letters on ${TOPICS.deadLetters}`]);
    });

    it('lists letters newest first, one JSON object a line, and redrives them', async () => {
      await letter('first');
      await letter('second');
      const listed = await cli('dlq', 'list', '--json');
      expect(listed.code).toBe(0);
      const rows = lines(listed.stdout).map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(rows.map((r) => [r.offset, r.key, r.reason_class, r.redrive_count])).toEqual([
        [1, 'key-second', 'not JSON', 0],
        [0, 'key-first', 'not JSON', 0],
      ]);
      expect(rows[0]!.reason).toBe('the request is not JSON (Unexpected token)');
      const one = await cli('dlq', 'list', '--max', '1');
      expect(lines(one.stdout)).toHaveLength(1);
      expect(one.stdout).toMatch(/^0\/1 .*\[not JSON\]/);

      const dry = await cli('dlq', 'redrive', '--dry-run', '--offset', '0');
      expect(dry.code).toBe(0);
      expect(lines(dry.stdout)).toEqual([
        `would send ${TOPICS.deadLetters}/0/0 (request_id -, key key-first) to ${TOPICS.requests} with redrive count 1`,
        `would redrive 1 dead letter(s) to ${TOPICS.requests}`,
      ]);
      expect(await bus.listTopics([TOPICS.requests])).toEqual([]);

      const sent = await cli('dlq', 'redrive', '--json');
      expect(sent.code).toBe(0);
      expect(JSON.parse(sent.stdout)).toMatchObject({dry_run: false, sent: 2, refused: 0});
      const requests = await readTopic(bus, TOPICS.requests, {idleMs: 500});
      expect(requests.map((m) => [m.key, m.value!.toString(), m.headers])).toEqual([
        [
          'key-first',
          'first',
          {[REDRIVE_HEADERS.from]: `${TOPICS.deadLetters}/0/0`, [REDRIVE_HEADERS.count]: '1'},
        ],
        [
          'key-second',
          'second',
          {[REDRIVE_HEADERS.from]: `${TOPICS.deadLetters}/0/1`, [REDRIVE_HEADERS.count]: '1'},
        ],
      ]);
    });

    it('refuses a letter at the redrive limit in one line without --force', async () => {
      await letter('looping', {[REDRIVE_HEADERS.count]: '3', [REDRIVE_HEADERS.from]: 'x/0/0'});
      const refused = await cli('dlq', 'redrive');
      expect(refused.code).toBe(0);
      expect(lines(refused.stderr)).toEqual([
        `refused: ${TOPICS.deadLetters}/0/0: already redriven 3 times (limit 3): --force to send it again`,
      ]);
      expect(lines(refused.stdout)).toEqual([
        `redrove 0 dead letter(s) to ${TOPICS.requests}; 1 refused (see above)`,
      ]);
      const forced = await cli('dlq', 'redrive', '--force', '--json');
      expect(JSON.parse(forced.stdout)).toMatchObject({sent: 1, letters: [{redrive_count: 4}]});
    });

    it.each([
      [['dlq'], /dlq needs an action: list or redrive$/],
      [['dlq', 'purge'], /dlq needs an action: list or redrive \(got "purge"\)/],
      [['dlq', 'redrive', '--offset', 'abc'], /--offset must be N or P\/N \(got "abc"\)/],
      [['dlq', 'list', '--max', '0'], /--max must be a whole number, at least 1 \(got "0"\)/],
      [['dlq', 'redrive', '--max', '3'], /--max is for dlq list/],
      [['dlq', 'list', '--dry-run'], /--dry-run is for dlq redrive/],
      [['dlq', 'redrive', '--max-redrives', 'x'], /--max-redrives must be a whole number/],
    ])('refuses %j with one line, exit 2', async (args, pattern) => {
      expect(oneLineError(await cli(...args))).toMatch(pattern);
    });
  });

  describe('request', () => {
    it('sends one request with a generated request_id, printing it', async () => {
      const result = await cli('request', '--json', JSON.stringify({input: WINE}));
      expect(result.code).toBe(0);
      const [id, ...more] = lines(result.stdout);
      expect(more).toEqual([]);
      expect(id).toMatch(UUID);
      const sent = await readTopic(bus, TOPICS.requests, {idleMs: 500});
      expect(sent.map((m) => [m.key, JSON.parse(m.value!.toString())])).toEqual([
        [id, {input: WINE, request_id: id}],
      ]);
    });

    it('sends every line of a file, keeping the ids given', async () => {
      const file = path.join(stateDir, 'requests.jsonl');
      await writeFile(
        file,
        `${JSON.stringify({request_id: 'one', input: WINE})}\n\n${JSON.stringify({...WINE})}\n`,
      );
      const result = await cli('request', '--file', file);
      expect(result.code).toBe(0);
      const ids = lines(result.stdout);
      expect(ids).toHaveLength(2);
      expect(ids[0]).toBe('one');
      expect(ids[1]).toMatch(UUID);
      expect((await readTopic(bus, TOPICS.requests, {idleMs: 500})).map((m) => m.key)).toEqual(ids);
    });

    it('exits 1 naming the requests that got no answer in time', async () => {
      const result = await cli('request', '--json', '{"request_id": "lonely"}', '--wait', '0.3');
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(lines(result.stderr)).toHaveLength(1);
      expect(result.stderr).toMatch(/no answer within 0\.3 s for 1 of 1 request\(s\): lonely/);
    });

    it('refuses a file with a bad line, naming it, and sends nothing', async () => {
      const file = path.join(stateDir, 'bad.jsonl');
      await writeFile(file, `${JSON.stringify({input: WINE})}\n{"input": \n`);
      expect(oneLineError(await cli('request', '--file', file))).toMatch(
        new RegExp(
          `${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} line 2: not JSON .*; nothing was sent`,
        ),
      );
      expect(await bus.listTopics([TOPICS.requests])).toEqual([]);
    });

    it.each([
      [[], /request needs either --json TEXT or --file PATH/],
      [['--json', '{}', '--file', 'x.jsonl'], /request needs either --json TEXT or --file PATH/],
      [['--json', '{}', '--wait', '-1'], /--wait must be a number of seconds above 0 \(got -1\)/],
      [['--json', '{}', '--wait', 'soon'], /--wait must be a number of seconds above 0/],
      [['--json', '[1]'], /--json: a request must be a JSON object/],
      [['--file', '/nonexistent/requests.jsonl'], /cannot read \/nonexistent\/requests\.jsonl/],
    ])('refuses request %j with one line, exit 2', async (args, pattern) => {
      expect(oneLineError(await cli('request', ...args))).toMatch(pattern);
    });
  });

  describe('serve metrics flags', () => {
    it.each([
      [
        ['--metrics-port', 'abc'],
        /--metrics-port must be a port number from 1 to 65535 \(got abc\)/,
      ],
      [['--metrics-port', '0'], /--metrics-port must be a port number/],
      [['--metrics-port', '70000'], /--metrics-port must be a port number/],
      [['--metrics-host', '0.0.0.0'], /--metrics-host needs --metrics-port/],
    ])('refuses serve %j with one line, exit 2', async (args, pattern) => {
      expect(oneLineError(await cli('serve', ...args))).toMatch(pattern);
    });
  });
});
