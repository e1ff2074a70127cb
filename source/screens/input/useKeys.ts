import {type Key, useInput} from 'ink';
import {useCallback, useLayoutEffect, useRef} from 'react';

/**
 * useInput whose handler always sees the state of the frame on screen. Ink re-subscribes a new
 * handler in a passive effect, which React runs from a setImmediate; when the event loop was busy
 * a key read in the meantime reaches the previous render's handler (a stale selection, for
 * instance). A layout effect runs as the frame is committed, so the ref is never behind.
 */
export function useKeys(
  handler: (input: string, key: Key) => void,
  {isActive}: {isActive: boolean},
): void {
  const latest = useRef(handler);
  useLayoutEffect(() => {
    latest.current = handler;
  });
  const stable = useCallback((input: string, key: Key) => latest.current(input, key), []);
  useInput(stable, {isActive});
}
