import {readFile} from 'node:fs/promises';
import {text as readStream} from 'node:stream/consumers';
import {loadConfig} from '../services/config/config.js';
import {openServices} from '../services/connect.js';
import {InvalidInputError} from '../services/errors.js';
import {
  prepareRequest,
  sendRequests,
  type OutgoingRequest,
} from '../services/app/requestRoundTrip.js';
import {type Command, connectionHelp, overridesFrom} from './command.js';

export const requestCommand: Command = {
  usage: `
  Usage
    $ wine-tui request --json '{"input": {...}}' [--wait SECONDS]
    $ wine-tui request --file requests.jsonl [--wait SECONDS]
    $ cat requests.jsonl | wine-tui request --file - [--wait SECONDS]

  Sends prediction requests to the requests topic (predict_requests), as \`wine-tui serve\`
  expects them: a JSON object with "request_id" and "input" (or the wine fields at the top level).
  A request without request_id gets a generated one; the key is the request_id. Prints each
  request_id, one per line. A file holds one request per line; every line is checked before
  anything is sent, and a bad one stops the command with one line naming it (exit code 2).

  With --wait SECONDS it waits for each request's answer on app_messages (read_committed,
  matched on request_id) or on the dead-letter topic, and prints each as a JSON line instead of
  the ids; it exits 1, naming them, if some did not arrive in time.

  Options
    --json TEXT       one request
    --file PATH       requests, one JSON object per line ("-": standard input)
    --wait SECONDS    wait for the answers (up to SECONDS)
${connectionHelp}
`,
  flags: {json: {type: 'string'}, file: {type: 'string'}, wait: {type: 'string'}},
  async run({input, flags}, io) {
    if (input.length > 0) {
      throw new InvalidInputError(`request takes no arguments (got "${input[0]}"): see --help`);
    }
    if ((flags.json === undefined) === (flags.file === undefined)) {
      throw new InvalidInputError('request needs either --json TEXT or --file PATH');
    }
    const waitMs = flags.wait === undefined ? undefined : Number(flags.wait) * 1000;
    if (waitMs !== undefined && !(Number.isFinite(waitMs) && waitMs > 0)) {
      throw new InvalidInputError(
        `--wait must be a number of seconds above 0 (got ${String(flags.wait)})`,
      );
    }
    const requests = await readRequests(flags);
    const config = loadConfig(overridesFrom(flags));
    const services = await openServices(config, {onWarning: (m) => io.stderr(`warning: ${m}`)});
    try {
      const {topics} = config;
      const {missing} = await sendRequests(services.bus, topics, requests, {
        ...(waitMs !== undefined
          ? {waitMs, onAnswer: (answer) => io.stdout(JSON.stringify(answer.value))}
          : {}),
      });
      if (waitMs === undefined) {
        for (const request of requests) io.stdout(request.requestId);
        return 0;
      }
      if (missing.length > 0) {
        io.stderr(
          `no answer within ${flags.wait} s for ${missing.length} of ${requests.length} request(s): ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', ...' : ''} (is wine-tui serve running?)`,
        );
        return 1;
      }
      return 0;
    } finally {
      await services.close();
    }
  },
};

async function readRequests(flags: Record<string, unknown>): Promise<OutgoingRequest[]> {
  if (typeof flags.json === 'string') {
    const prepared = prepareRequest(flags.json);
    if (!prepared.ok) throw new InvalidInputError(`--json: ${prepared.reason}`);
    return [prepared.request];
  }
  const file = String(flags.file);
  let text: string;
  try {
    text = file === '-' ? await readStream(process.stdin) : await readFile(file, 'utf8');
  } catch (error) {
    throw new InvalidInputError(`cannot read ${file}: ${(error as Error).message}`);
  }
  const requests: OutgoingRequest[] = [];
  const lines = text.split('\n');
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '') continue;
    const prepared = prepareRequest(line);
    if (!prepared.ok) {
      throw new InvalidInputError(
        `${file === '-' ? 'stdin' : file} line ${index + 1}: ${prepared.reason}; nothing was sent`,
      );
    }
    requests.push(prepared.request);
  }
  if (requests.length === 0) {
    throw new InvalidInputError(`${file === '-' ? 'stdin' : file} holds no requests`);
  }
  return requests;
}
