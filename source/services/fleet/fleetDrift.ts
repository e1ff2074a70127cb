import {PSI_ALERT, type DriftFigures, type FieldDrift} from '../predictor/InputDrift.js';
import type {InstanceStatus} from './fleetStatus.js';

/**
 * The group's input drift: per field, the worst figures any live instance reports (instances see
 * different partitions, and a shift in one of them is still a shift). Null when none reports.
 */
export function fleetDrift(live: InstanceStatus[]): DriftFigures | null {
  const reporting = live.filter((i) => i.drift);
  if (reporting.length === 0) return null;
  const worst: Record<string, FieldDrift> = {};
  for (const {drift} of reporting) {
    for (const [field, figures] of Object.entries(drift!)) {
      if (!figures) continue;
      const known = worst[field];
      worst[field] = known
        ? {
            psi: Math.max(known.psi, figures.psi),
            unknown_rate:
              known.unknown_rate === null && figures.unknown_rate === null
                ? null
                : Math.max(known.unknown_rate ?? 0, figures.unknown_rate ?? 0),
          }
        : {...figures};
    }
  }
  return worst;
}

/** One warning naming the fields whose PSI is above the alert level, worst first. */
export function driftWarnings(live: InstanceStatus[]): string[] {
  const drift = fleetDrift(live);
  if (!drift) return [];
  const shifted = Object.entries(drift)
    .filter(([, f]) => f && f.psi > PSI_ALERT)
    .sort(([, a], [, b]) => b!.psi - a!.psi);
  if (shifted.length === 0) return [];
  const fields = shifted.map(([field, f]) => `${field} ${f!.psi.toFixed(2)}`).join(', ');
  return [`input drift (PSI > ${PSI_ALERT}): ${fields}`];
}
