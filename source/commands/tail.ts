import {loadConfig} from '../services/config.js';
import {openServices} from '../services/connect.js';
import {InvalidInputError} from '../services/errors.js';
import type {BusMessage} from '../services/MessageBus.js';
import {decodeValue, messageJson, valueOneLine} from '../services/messageView.js';
import {type Command, connectionHelp, overridesFrom} from './command.js';

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
    const config = loadConfig(overridesFrom(flags));
    const services = await openServices(config);
    const json = Boolean(flags.json);
    let seen = 0;
    // Lines are gathered and written once per tick: one write per message would cap the rate.
    let buffer: string[] = [];
    const flush = () => {
      if (buffer.length > 0) io.stdout(buffer.join('\n'));
      buffer = [];
    };
    let finish!: () => void;
    const done = new Promise<void>((resolve) => (finish = resolve));
    const format = (m: BusMessage) =>
      json
        ? messageJson(m)
        : `${m.partition}:${m.offset} ${new Date(m.timestamp).toISOString()} ${m.key ?? '-'} ${valueOneLine(decodeValue(m.value))}`;
    const subscription = services.bus.tail(
      topic,
      {from: flags.fromBeginning ? 'earliest' : 'latest'},
      (message) => {
        if (seen >= max) return;
        seen += 1;
        buffer.push(format(message));
        if (buffer.length === 1) setImmediate(flush);
        if (seen >= max) finish();
      },
    );
    const stop = () => finish();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      await subscription.ready;
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
