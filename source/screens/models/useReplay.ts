import {useEffect, useState} from 'react';
import {DEFAULT_LAST, replay, type ReplayReport} from '../../services/app/replay.js';
import {useServices} from '../shared/AppContext.js';
import {errorLine} from '../shared/errorLine.js';

export interface ReplayState {
  report?: ReplayReport;
  running: boolean;
  error?: string;
}

/**
 * Replays the newest past predictions' inputs with versions a and b (as `models replay`) while
 * `pair` is set; a new pair starts again, and a pair left behind is not reported.
 */
export function useReplay(pair: {a: string; b: string} | undefined): ReplayState {
  const {bus, registry, config} = useServices();
  const [state, setState] = useState<ReplayState & {key?: string}>({running: false});
  const a = pair?.a;
  const b = pair?.b;
  const key = pair ? `${pair.a}\n${pair.b}` : undefined;

  useEffect(() => {
    if (a === undefined || b === undefined) return;
    let current = true;
    // Until this run settles, the state is another pair's: read as running below.
    const runKey = `${a}\n${b}`;
    replay({bus, registry, topic: config.topics.predictions}, {a, b, last: DEFAULT_LAST}).then(
      (report) => current && setState({key: runKey, running: false, report}),
      (error: unknown) =>
        current && setState({key: runKey, running: false, error: errorLine(error)}),
    );
    return () => {
      current = false;
    };
  }, [bus, registry, config, a, b]);

  if (!pair || state.key !== key) return {running: pair !== undefined};
  return state;
}
