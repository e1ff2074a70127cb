import {useInput} from 'ink';
import {type ReactNode, useLayoutEffect, useState} from 'react';
import {KeyDispatcher, KeyDispatcherContext} from './keyDispatcher.js';

/** Reads the keyboard once for everything below it (useKeys, useCommands). */
export function KeyboardProvider({children}: {children: ReactNode}) {
  const [frame, setFrame] = useState(0);
  const [dispatcher] = useState(() => new KeyDispatcher(() => setFrame((n) => n + 1)));
  useLayoutEffect(() => {
    if (frame === 0) return;
    // After the commit, so that the next key's changes make a frame of their own.
    queueMicrotask(() => dispatcher.framed());
  }, [frame, dispatcher]);
  useInput(dispatcher.receive);
  return (
    <KeyDispatcherContext.Provider value={dispatcher}>{children}</KeyDispatcherContext.Provider>
  );
}
