import type {Key} from 'ink';
import {useContext, useLayoutEffect, useRef} from 'react';
import {type KeyListener, KeyDispatcherContext} from './keyDispatcher.js';

/**
 * Receives keys while `isActive`, through the KeyboardProvider. The handler and the flag are those
 * of the frame on screen: they are updated as the frame commits (a layout effect), not later when
 * React gets to passive effects, so a key read in between reaches neither a previous render's
 * handler nor a screen that was just hidden.
 */
export function useKeys(
  handler: (input: string, key: Key) => void,
  {isActive}: {isActive: boolean},
): void {
  const dispatcher = useContext(KeyDispatcherContext);
  if (!dispatcher) throw new Error('useKeys() outside <KeyboardProvider>');
  const listener = useRef<KeyListener>({handle: handler, active: isActive});
  useLayoutEffect(() => {
    listener.current.handle = handler;
    listener.current.active = isActive;
  });
  useLayoutEffect(() => dispatcher.listen(listener.current), [dispatcher]);
}
