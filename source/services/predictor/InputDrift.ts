import {CATEGORICAL_DRIFT_FIELDS, driftOf, type DriftField} from '../../ml/drift.js';
import type {LoadedModel, PredictionMessage} from '../app/modelWorkflow.js';

/** One field's drift over the recent window, as heartbeats, `status` and /metrics report it. */
export interface FieldDrift {
  /** Population stability index against the training reference. */
  psi: number;
  /** Share of recent requests whose value the model never saw in training; null for numbers. */
  unknown_rate: number | null;
}

export type DriftFigures = Partial<Record<DriftField, FieldDrift>>;

/** PSI above this flags a field (the usual reading: the population has shifted). */
export const PSI_ALERT = 0.2;
const WINDOW = 2_000;
/** Fewer answered requests than this give no figures: PSI of a handful is noise. */
const MINIMUM = 200;

/**
 * The inputs of the most recent answered requests, and their drift from the serving model's
 * training reference. Figures are computed when asked (a heartbeat, a scrape), not per request.
 */
export class InputDrift {
  private readonly recent: PredictionMessage[] = [];
  private next = 0;

  constructor(
    private readonly window = WINDOW,
    private readonly minimum = MINIMUM,
  ) {}

  add(answered: readonly PredictionMessage[]): void {
    for (const prediction of answered) {
      if (this.recent.length < this.window) this.recent.push(prediction);
      else this.recent[this.next] = prediction;
      this.next = (this.next + 1) % this.window;
    }
  }

  /** Per field; null without enough requests, or for a model whose artifact has no reference. */
  figures(model: LoadedModel | undefined): DriftFigures | null {
    const reference = model?.artifact.reference;
    if (!reference || this.recent.length < Math.min(this.minimum, this.window)) return null;
    const psi = driftOf(
      reference,
      this.recent.map((p) => p.input),
    );
    const encoded = new Set<string>(model.artifact.features.categorical.map((c) => c.name));
    const figures: DriftFigures = {};
    for (const [field, value] of psi) {
      const categorical = (CATEGORICAL_DRIFT_FIELDS as readonly string[]).includes(field);
      figures[field] = {
        psi: Math.round(value * 1e4) / 1e4,
        unknown_rate:
          categorical && encoded.has(field)
            ? this.recent.filter((p) => p.unknown.some((u) => u.field === field)).length /
              this.recent.length
            : null,
      };
    }
    return figures;
  }
}
