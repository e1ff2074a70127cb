import {useEffect, useState} from 'react';
import {FleetMonitor, type FleetSnapshot} from '../../services/fleet/FleetMonitor.js';
import {useServices} from '../shared/AppContext.js';

/** At most one redraw per this many ms (4 a second), however often heartbeats and polls arrive. */
export const FLEET_THROTTLE_MS = 250;

export interface FleetView {
  /** Undefined until the monitor has something to say. */
  snapshot: FleetSnapshot | undefined;
  /** When the snapshot was taken, for "last seen" ages. */
  takenAt: number;
  /** The topics and group watched, for the lines that name them. */
  group: string;
  statusTopic: string;
  requestsTopic: string;
}

export interface FleetOptions {
  throttleMs?: number;
  /** How often the monitor reads lag and the dead-letter count (FleetMonitor's default if unset). */
  pollMs?: number;
}

/**
 * The serve group's live state while the Pipeline screen is shown. The monitor runs only while
 * `active`: an inactive screen reads nothing from the broker, at the cost of starting its
 * sparklines afresh when shown again (the status topic is compacted, so replaying it is cheap).
 */
export function useFleet(
  active: boolean,
  {throttleMs = FLEET_THROTTLE_MS, pollMs}: FleetOptions = {},
): FleetView {
  const {bus, config} = useServices();
  const {topics} = config;
  const group = config.kafka.groupId;
  const [view, setView] = useState<{snapshot: FleetSnapshot | undefined; takenAt: number}>({
    snapshot: undefined,
    takenAt: 0,
  });

  useEffect(() => {
    if (!active) return;
    const monitor = new FleetMonitor({
      bus,
      topics: {status: topics.status, requests: topics.requests, deadLetters: topics.deadLetters},
      group,
      ...(pollMs === undefined ? {} : {pollMs}),
    });
    let timer: NodeJS.Timeout | undefined;
    let lastDrawn = 0;
    const draw = () => {
      timer = undefined;
      lastDrawn = Date.now();
      setView({snapshot: monitor.snapshot(lastDrawn), takenAt: lastDrawn});
    };
    // Trailing throttle: a burst (the status topic replayed) makes one redraw, not one per record.
    const unsubscribe = monitor.subscribe(() => {
      timer ??= setTimeout(draw, Math.max(0, lastDrawn + throttleMs - Date.now()));
    });
    monitor.start();
    return () => {
      clearTimeout(timer);
      unsubscribe();
      void monitor.close().catch(() => {});
    };
  }, [active, bus, topics, group, throttleMs, pollMs]);

  return {
    ...view,
    group,
    statusTopic: topics.status,
    requestsTopic: topics.requests,
  };
}
