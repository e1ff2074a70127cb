/** The memory part of bench/tail.ts: the TUI on the Live screen under a flood of messages. */
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {setTimeout as delay} from 'node:timers/promises';
import {
  BROKERS,
  CLI,
  connectedProducer,
  createTopics,
  deleteTopics,
  fmt,
  hasCommand,
  mb,
  prediction,
  ROOT,
  run,
  stamp,
  table,
} from './common.js';

const RATE = Number(process.env.BENCH_RATE ?? 20_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);

function procStatus(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(
      readFileSync(`/proc/${pid}/status`, 'utf8'),
    );
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

export async function memory(): Promise<void> {
  if (!(await hasCommand('tmux'))) {
    console.log('tmux is not installed: skipping the memory part');
    return;
  }
  const trainTopic = `bl-train-${stamp}`;
  const topic = `bl-pred-${stamp}`;
  await createTopics([trainTopic, topic]);
  const configDir = mkdtempSync(path.join(os.tmpdir(), 'wine-tui-bench-tail-'));
  writeFileSync(
    path.join(configDir, 'kafka_config.yaml'),
    `bootstrap.servers: ${BROKERS}\ntopics:\n  train: ${trainTopic}\n  app_messages: ${topic}\n`,
  );
  // Our own tmux server (own socket), so nothing else running in tmux is touched.
  // The store settings reach the TUI through the environment of our tmux server, not its command
  // line (which `ps` shows).
  const env = {
    ...process.env,
    WINE_TUI_S3_ENDPOINT: process.env.WINE_TUI_S3_ENDPOINT || 'http://127.0.0.1:19000',
    AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID || 'winetui',
    AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY || 'winetui-secret-key',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  const tmux = (...args: string[]) => run('tmux', ['-L', `bench-tail-${stamp}`, ...args], {env});
  const screen = async () => (await tmux('capture-pane', '-p', '-t', 'tui')).stdout;
  const until = async (what: string, test: (text: string) => boolean, ms = 30_000) => {
    const deadline = Date.now() + ms;
    for (;;) {
      const text = await screen();
      if (test(text)) return text;
      if (Date.now() > deadline) throw new Error(`the TUI did not show ${what}:\n${text}`);
      await delay(200);
    }
  };
  const command = `cd ${ROOT} && exec ${process.execPath} ${CLI} --config-dir ${configDir}`;
  await tmux('new-session', '-d', '-s', 'tui', '-x', '80', '-y', '24', command);
  try {
    const pid = Number((await tmux('display', '-p', '-t', 'tui', '#{pane_pid}')).stdout.trim());
    await until('its first frame', (text) => text.includes('Live'));
    await tmux('send-keys', '-t', 'tui', '3');
    await until(
      'both panes tailing',
      (text) => (text.match(/waiting for messages/g) ?? []).length === 2,
    );
    await delay(1000);
    const before = procStatus(pid, 'VmRSS');

    const samples: number[] = [];
    const sampler = setInterval(() => {
      const rss = procStatus(pid, 'VmRSS');
      if (rss !== undefined) samples.push(rss);
    }, 250);
    const producer = await connectedProducer();
    let sent = 0;
    const started = performance.now();
    try {
      // Every 50 ms, whatever keeps the total on schedule, in sends of at most 2,000 messages
      // (the broker refuses requests over 1 MB); sends overlap if the broker lags.
      const inFlight = new Set<Promise<unknown>>();
      let failure: unknown;
      while (performance.now() - started < SECONDS * 1000 && failure === undefined) {
        const due = Math.floor(((performance.now() - started) / 1000) * RATE);
        while (due > sent) {
          const count = Math.min(2_000, due - sent);
          const messages = Array.from({length: count}, (_, i) => prediction(sent + i));
          sent += count;
          const send: Promise<unknown> = producer.send({topic, messages}).then(
            () => inFlight.delete(send),
            (error: unknown) => (failure ??= error),
          );
          inFlight.add(send);
        }
        await delay(50);
      }
      await Promise.all(inFlight);
      if (failure !== undefined) throw failure;
    } finally {
      await producer.disconnect();
    }
    const seconds = (performance.now() - started) / 1000;
    // Let the TUI drain what it has not read yet, until its count stops moving.
    const received = () =>
      screen().then((text) => Number(/bl-pred-\S*\s.*?(\d+) received/.exec(text)?.[1] ?? NaN));
    let last = -1;
    let count = await received();
    for (let waited = 0; count !== last && count < sent && waited < 30; waited++) {
      await delay(1000);
      last = count;
      count = await received();
    }
    clearInterval(sampler);
    const peak = procStatus(pid, 'VmHWM');
    const lastFrame = await screen();

    console.log('');
    table(
      ['TUI on the Live screen (80x24)', 'value'],
      [
        // React's development build (NODE_ENV unset) keeps a performance entry for every render.
        ['NODE_ENV of the TUI', process.env.NODE_ENV ?? '(unset)'],
        ['producer rate, msg/s', fmt(sent / seconds)],
        ['messages produced', fmt(sent)],
        ['messages the Live screen counted', Number.isNaN(count) ? '?' : fmt(count)],
        ['RSS before the flood, MB', mb(before)],
        ['peak VmRSS sampled, MB', mb(Math.max(...samples))],
        ['VmRSS at the end, MB', mb(samples.at(-1))],
        ['VmHWM (peak RSS), MB', mb(peak)],
      ],
    );
    // One sample in 20 (every 5 s): whether memory levels off or keeps growing.
    console.log(
      `\nVmRSS every 5 s, MB: ${samples
        .filter((_, i) => i % 20 === 0)
        .map(mb)
        .join(' ')}`,
    );
    console.log(`\nlast frame:\n${lastFrame}`);
  } finally {
    await tmux('kill-server').catch(() => {});
    // kill-server leaves the socket file behind.
    const uid = process.getuid?.() ?? 0;
    rmSync(path.join(process.env.TMUX_TMPDIR || '/tmp', `tmux-${uid}`, `bench-tail-${stamp}`), {
      force: true,
    });
    rmSync(configDir, {recursive: true, force: true});
    await deleteTopics([trainTopic, topic]);
  }
}
