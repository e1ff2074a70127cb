import {useCallback, useEffect, useRef, useState} from 'react';
import type {WineInput} from '../../ml/input.js';
import type {PublishResult} from '../../services/ports/MessageBus.js';
import {
  type LoadedModel,
  type PredictionMessage,
  predictionMessage,
  publishPrediction,
} from '../../services/app/modelWorkflow.js';
import {useServices} from '../shared/AppContext.js';
import {errorLine} from '../shared/errorLine.js';

export interface PredictionOutcome {
  message: PredictionMessage;
  /** Where the message landed on the predictions topic; undefined if publishing failed. */
  published?: PublishResult;
  /** Why publishing failed (the price was still computed). */
  publishError?: string;
}

export interface PredictionState {
  busy: boolean;
  /** The last prediction; kept when a later attempt fails. */
  outcome: PredictionOutcome | undefined;
  /** Why the last attempt could not price the wine. */
  error: string | undefined;
}

/** Prices a wine with a loaded model and publishes the prediction to the predictions topic. */
export function usePrediction(): PredictionState & {
  predict: (model: LoadedModel, input: WineInput) => void;
} {
  const {bus, config} = useServices();
  const [state, setState] = useState<PredictionState>({
    busy: false,
    outcome: undefined,
    error: undefined,
  });
  const mounted = useRef(false);
  const busy = useRef(false);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const predict = useCallback(
    (model: LoadedModel, input: WineInput) => {
      // One at a time: a second Enter while publishing would send the same wine twice.
      if (busy.current) return;
      let message: PredictionMessage;
      try {
        message = predictionMessage(model, input);
      } catch (error) {
        setState((s) => ({...s, error: `cannot price this wine: ${errorLine(error)}`}));
        return;
      }
      busy.current = true;
      setState((s) => ({...s, busy: true, error: undefined}));
      publishPrediction(bus, config.topics.predictions, message).then(
        (published) => {
          busy.current = false;
          if (mounted.current) {
            setState({busy: false, outcome: {message, published}, error: undefined});
          }
        },
        (error: unknown) => {
          busy.current = false;
          if (mounted.current) {
            setState({
              busy: false,
              outcome: {message, publishError: errorLine(error)},
              error: undefined,
            });
          }
        },
      );
    },
    [bus, config],
  );

  return {...state, predict};
}
