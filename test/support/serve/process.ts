import {childEnv, CLI, RunningProcess} from '../process.js';

/** A running `wine-tui serve`; its output lines are kept for assertions and shown on failure. */
export class ServeProcess extends RunningProcess {
  /** `env`: what the child gets on top of childEnv() (e.g. awsEnv for its MinIO). */
  constructor(args: string[], env: Record<string, string> = {}) {
    super(process.execPath, [CLI, 'serve', ...args], {env: childEnv(env), name: 'serve'});
  }
}
