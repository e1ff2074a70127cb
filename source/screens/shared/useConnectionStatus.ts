import {useEffect, useState} from 'react';
import {redact} from '../../services/config/secrets.js';
import {ObjectNotFoundError} from '../../services/errors.js';
import {useServices} from './AppContext.js';

export interface ConnectionStatus {
  bus: 'checking' | 'ok' | 'down';
  store: 'checking' | 'ok' | 'down';
  /** Why the last check failed (secrets removed). */
  problem?: string;
}

/**
 * Probes the broker and the bucket every few seconds, so the status line says when either goes
 * away and clears by itself when it is back. The adapters reconnect on their own; this only watches.
 */
export function useConnectionStatus(intervalMs = 5000): ConnectionStatus {
  const {bus, store, config} = useServices();
  const [status, setStatus] = useState<ConnectionStatus>({bus: 'checking', store: 'checking'});
  useEffect(() => {
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    const probe = async () => {
      const problems: string[] = [];
      // One topic's offsets: cheap on a cluster with many topics, and proves the broker answers.
      const busOk = await bus.listTopics([config.topics.train]).then(
        () => true,
        (error: unknown) => {
          problems.push(`broker: ${(error as Error).message}`);
          return false;
        },
      );
      // A missing key answers "not found" from a healthy bucket without listing anything.
      const storeOk = await store.head(`${config.s3.prefix}.wine-tui-health-probe`).then(
        () => true,
        (error: unknown) => {
          if (error instanceof ObjectNotFoundError) return true;
          problems.push(`store: ${(error as Error).message}`);
          return false;
        },
      );
      if (stopped) return;
      const problem = problems.length > 0 ? redact(problems.join('; ')) : undefined;
      setStatus({
        bus: busOk ? 'ok' : 'down',
        store: storeOk ? 'ok' : 'down',
        ...(problem ? {problem} : {}),
      });
      timer = setTimeout(() => void probe(), intervalMs);
    };
    void probe();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [bus, store, config, intervalMs]);
  return status;
}
