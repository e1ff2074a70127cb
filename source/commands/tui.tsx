import type {ParsedArgs, CommandIO} from './command.js';
import {overridesFrom} from './command.js';
import {loadConfig} from '../services/config/config.js';
import {openServices} from '../services/connect.js';
import {KeySplittingStdin} from '../screens/input/keyboardInput.js';

/** Opens the TUI on a terminal; without one, says where the headless commands are. */
export async function startTui({flags}: ParsedArgs, io: CommandIO): Promise<number> {
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    io.stderr(
      'wine-tui: the TUI needs a terminal (stdin and stdout are not a TTY); headless: wine-tui train|models|predict|tail|serve|doctor (see wine-tui --help)',
    );
    return 2;
  }
  const config = loadConfig(overridesFrom(flags));
  const services = await openServices(config);
  if (config.bus === 'embedded') {
    await services.bus.ensureTopics([config.topics.train, config.topics.predictions]);
  }
  const [{render}, {App}] = await Promise.all([import('ink'), import('../screens/App.js')]);
  // Ctrl+C is handled by the App so that consumers and producers are closed before exit.
  const instance = render(<App services={services} />, {
    exitOnCtrlC: false,
    maxFps: 15,
    stdin: new KeySplittingStdin(process.stdin) as unknown as NodeJS.ReadStream,
  });
  // A terminal that goes away (SSH dropped, window closed) ends the TUI as `q` would, closing
  // consumers and producers, instead of leaving it to crash on its next frame.
  const hangUp = () => instance.unmount();
  process.once('SIGHUP', hangUp);
  void io.stdoutGone.then(hangUp);
  try {
    await instance.waitUntilExit();
  } finally {
    process.off('SIGHUP', hangUp);
    await services.close();
  }
  return 0;
}
