#!/usr/bin/env node
import meow from 'meow';
import {type Command, connectionFlags, connectionHelp} from './commands/command.js';
import {commandIO} from './commands/output.js';
import {redact} from './services/config/config.js';
import {ModelError} from './ml/errors.js';
import {InvalidInputError, UserFacingError} from './services/errors.js';

// React's development build records a performance entry per render that is never cleared: the
// TUI's memory would grow without bound during a message flood. Tests set NODE_ENV=test themselves.
process.env.NODE_ENV ??= 'production';

// kafkajs 2.2.4 triggers TimeoutNegativeWarning on every connection under Node 24 (tulios/kafkajs#1751);
// printed to stderr it would garble the TUI. Every other warning still goes through.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const name = typeof warning === 'string' ? rest[0] : warning.name;
  if (name === 'TimeoutNegativeWarning') return;
  (emitWarning as (...args: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;

// Commands are imported only when invoked, so `--help` stays fast.
const commands: Record<string, () => Promise<Command>> = {
  train: async () => (await import('./commands/train.js')).trainCommand,
  models: async () => (await import('./commands/models.js')).modelsCommand,
  predict: async () => (await import('./commands/predict.js')).predictCommand,
  tail: async () => (await import('./commands/tail.js')).tailCommand,
  serve: async () => (await import('./commands/serve.js')).serveCommand,
  doctor: async () => (await import('./commands/doctorCommand.js')).doctorCommand,
  status: async () => (await import('./commands/status.js')).statusCommand,
  dlq: async () => (await import('./commands/dlq.js')).dlqCommand,
  request: async () => (await import('./commands/request.js')).requestCommand,
  keys: async () => (await import('./commands/keys.js')).keysCommand,
};

const mainHelp = `
  Usage
    $ wine-tui [options]            open the operator TUI (needs a terminal)
    $ wine-tui <command> --help     help for one command

  Commands
    train      train a model version, optionally publish it (--publish)
    models     list | show | promote | delete model versions
    predict    predict one wine's price
    tail       print a topic's messages as JSON lines
    serve      run the predictor service (requests in, predictions out)
    status     the serve fleet: instances, versions, lag, dead letters
    dlq        list and redrive dead letters
    request    send prediction requests (and wait for their predictions)
    doctor     check configuration, broker, topics, bucket and credentials
    keys       generate the key pair that signs model versions
${connectionHelp}
`;

// Every write goes through here: a slow reader gets everything, a reader that left ends quietly.
const processIO = commandIO(process.stdout, process.stderr);

function fail(error: unknown): number {
  if (error instanceof UserFacingError || error instanceof ModelError) {
    processIO.stderr(`wine-tui: ${redact(error.message)}`);
    return error instanceof UserFacingError ? error.exitCode : 2;
  }
  const message = error instanceof Error ? error.message : String(error);
  processIO.stderr(`wine-tui: unexpected error: ${redact(message)}`);
  if (process.env.WINE_TUI_DEBUG && error instanceof Error && error.stack) {
    processIO.stderr(redact(error.stack));
  }
  return 1;
}

/** meow throws on some misuse (a flag given twice, a missing value): that is a usage error too. */
function parseFlags<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new InvalidInputError(`${(error as Error).message}: see --help`);
  }
}

async function main(argv: string[]): Promise<number> {
  const name = argv[0];
  if (name !== undefined && !name.startsWith('-')) {
    const load = commands[name];
    if (!load) {
      processIO.stderr(`wine-tui: unknown command "${name}": see wine-tui --help`);
      return 2;
    }
    const command = await load();
    const cli = parseFlags(() =>
      meow(command.usage, {
        importMeta: import.meta,
        argv: argv.slice(1),
        flags: {...connectionFlags, ...command.flags},
        allowUnknownFlags: false,
        // An absent boolean stays undefined, so a default (e.g. log target on) is not overridden.
        booleanDefault: undefined,
      }),
    );
    return command.run({input: cli.input, flags: cli.flags as Record<string, unknown>}, processIO);
  }
  const cli = parseFlags(() =>
    meow(mainHelp, {
      importMeta: import.meta,
      argv,
      flags: {...connectionFlags},
      allowUnknownFlags: false,
    }),
  );
  const {startTui} = await import('./commands/tui.js');
  return startTui({flags: cli.flags as Record<string, unknown>, input: cli.input}, processIO);
}

main(process.argv.slice(2))
  .then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.exitCode = fail(error);
    },
  )
  .finally(async () => {
    // Everything written reaches the reader first, however slowly it reads.
    await processIO.drained();
    // The command is done. kafkajs may still hold a socket or timer of a client it could not
    // close after a broker outage: exit shortly even then (an idle process exits first).
    setTimeout(() => process.exit(), 2_000).unref();
  });
