import v8 from 'node:v8';
import {loadConfig} from '../services/config/config.js';
import {openServices} from '../services/connect.js';
import {InvalidInputError} from '../services/errors.js';
import type {BusMessage} from '../services/ports/MessageBus.js';
import {decodeValue, isoTime, messageJson, valueOneLine} from '../services/messages/messageView.js';
import {type Command, connectionHelp, overridesFrom} from './command.js';

/** Characters gathered before a write: large enough to be cheap, small enough to stay flat. */
const CHUNK_CHARS = 64 * 1024;

export const tailCommand: Command = {
  usage: `
  Usage
    $ wine-tui tail TOPIC [--from-beginning] [--max N] [--json]

  Prints a topic's messages as they arrive (the headless twin of the Live screen); Ctrl+C stops.

  Options
    --from-beginning  start at the earliest offset instead of the newest
    --max N           stop after N messages
    --json            one JSON object per line:
                      {topic, partition, offset, timestamp, key, value, headers}
                      (value: parsed JSON, a string, or {base64} for bytes that are not UTF-8)
${connectionHelp}
`,
  flags: {fromBeginning: {type: 'boolean'}, max: {type: 'string'}, json: {type: 'boolean'}},
  async run({input, flags}, io) {
    const topic = input[0];
    if (!topic || input.length > 1) {
      throw new InvalidInputError('tail takes exactly one topic: wine-tui tail TOPIC');
    }
    let max = Infinity;
    if (flags.max !== undefined) {
      max = Number(flags.max);
      if (!Number.isInteger(max) || max < 1) {
        throw new InvalidInputError(
          `--max must be a whole number of at least 1 (got ${String(flags.max)})`,
        );
      }
    }
    // A tail keeps a few MB alive but allocates fast: V8 would let both heap generations grow
    // with the count of messages read (to 170 MB for 2 million). A young generation that stays
    // small and an old one that grows by 10% at a time keep the peak flat (README, Figures).
    v8.setFlagsFromString('--semi-space-growth-factor=1');
    v8.setFlagsFromString('--heap-growing-percent=10');
    const config = loadConfig(overridesFrom(flags));
    const services = await openServices(config);
    const json = Boolean(flags.json);
    const format = (m: BusMessage) =>
      json
        ? messageJson(m)
        : `${m.partition}:${m.offset} ${isoTime(m.timestamp)} ${m.key ?? '-'} ${valueOneLine(decodeValue(m.value))}`;
    let seen = 0;
    // Lines are gathered into chunks: one write per message would cap the rate.
    let chunk = '';
    let full = false;
    const flush = () => {
      if (chunk.length > 0) full = !io.stdout(chunk.slice(0, -1)) || full;
      chunk = '';
    };
    let finish!: () => void;
    const done = new Promise<void>((resolve) => (finish = resolve));
    void io.stdoutGone.then(finish);
    const subscription = services.bus.tail(
      topic,
      {from: flags.fromBeginning ? 'earliest' : 'latest'},
      (message) => {
        if (seen >= max) return undefined;
        seen += 1;
        if (chunk.length === 0) setImmediate(flush);
        chunk += `${format(message)}\n`;
        if (chunk.length >= CHUNK_CHARS) flush();
        if (seen >= max) finish();
        if (!full) return undefined;
        // Back-pressure: the bus waits for the reader before it delivers (and fetches) more.
        full = false;
        return io.stdoutWritable();
      },
    );
    const stop = () => finish();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      await Promise.race([subscription.ready, done]);
      await done;
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      await subscription.close();
      flush();
      await services.close();
    }
    return 0;
  },
};
