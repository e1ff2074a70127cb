import {useCallback, useEffect, useRef, useState} from 'react';
import {errorLine} from '../shared/errorLine.js';

export interface ActionMessage {
  text: string;
  ok: boolean;
}

/**
 * Runs one registry action at a time (promote, delete) and keeps its outcome as one line;
 * a failure changes nothing else.
 */
export function useRegistryAction() {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<ActionMessage | undefined>(undefined);
  const running = useRef(false);
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  /** `action` resolves to the line to show on success. */
  const run = useCallback((action: () => Promise<string>, after?: () => void) => {
    if (running.current) return;
    running.current = true;
    setBusy(true);
    setMessage(undefined);
    action()
      .then(
        (text) => mounted.current && setMessage({text, ok: true}),
        (error: unknown) => mounted.current && setMessage({text: errorLine(error), ok: false}),
      )
      .finally(() => {
        running.current = false;
        if (!mounted.current) return;
        setBusy(false);
        after?.();
      });
  }, []);

  const clear = useCallback(() => setMessage(undefined), []);
  return {busy, message, run, clear, setMessage};
}
