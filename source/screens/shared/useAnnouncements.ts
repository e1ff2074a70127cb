import {createContext, useContext, useEffect, useState} from 'react';
import type {AnnouncementRecord} from '../../services/registry/ModelRegistry.js';
import {championOf} from '../../services/registry/aliases.js';
import {useServices} from './AppContext.js';

/**
 * Every announcement on the `train` topic, oldest first, kept current by a tail from the earliest
 * offset: the last one is the active version. The App owns the one subscription; screens read it
 * through useAnnouncementHistory().
 */
export function useAnnouncements(): AnnouncementRecord[] {
  const {bus, registry, config} = useServices();
  const [history, setHistory] = useState<AnnouncementRecord[]>([]);
  useEffect(() => {
    let pending: AnnouncementRecord[] = [];
    let timer: NodeJS.Timeout | undefined;
    // Replays arrive in bursts: apply them together rather than one render per message.
    const flush = () => {
      timer = undefined;
      const batch = pending;
      pending = [];
      setHistory((previous) => [...previous, ...batch]);
    };
    const subscription = bus.tail(config.topics.train, {from: 'earliest'}, (message) => {
      const announcement = registry.parseAnnouncement(
        message.value,
        `${message.topic}/${message.partition}@${message.offset}`,
      );
      if (!announcement) return;
      pending.push({
        ...announcement,
        partition: message.partition,
        offset: message.offset,
        timestamp: message.timestamp,
      });
      timer ??= setTimeout(flush, 50);
    });
    subscription.ready.catch(() => {
      // Connection problems are shown by the status line; the tail keeps retrying in the adapter.
    });
    return () => {
      clearTimeout(timer);
      void subscription.close();
    };
  }, [bus, registry, config]);
  return history;
}

export const AnnouncementsContext = createContext<AnnouncementRecord[]>([]);

export function useAnnouncementHistory(): AnnouncementRecord[] {
  return useContext(AnnouncementsContext);
}

/** The champion: the version serve answers with. */
export function useActiveVersion(): AnnouncementRecord | undefined {
  return championOf(useContext(AnnouncementsContext));
}
