import {useCallback, useEffect, useReducer, useRef} from 'react';
import type {TrainStep} from '../../ml/model.js';
import type {TrainOptions} from '../../ml/options.js';
import type {PublishedVersion} from '../../services/registry/ModelRegistry.js';
import {
  defaultDataPath,
  summaryOf,
  trainModel,
  type TrainedModel,
} from '../../services/app/modelWorkflow.js';
import {useServices} from '../shared/AppContext.js';
import {errorLine} from '../shared/errorLine.js';

export interface StepProgress {
  step: TrainStep;
  detail: string;
  done: boolean;
}

export interface TrainerState {
  training: boolean;
  steps: StepProgress[];
  /** The last model trained; kept when a later run fails. */
  model?: TrainedModel;
  /** Data file the model was trained on (the hold-out plot re-reads it). */
  dataPath: string;
  trainError?: string;
  publishing: boolean;
  published?: PublishedVersion;
  publishError?: string;
}

type Action =
  | {type: 'start'}
  | {type: 'step'; step: TrainStep; detail: string}
  | {type: 'trained'; model: TrainedModel}
  | {type: 'trainFailed'; error: string}
  | {type: 'publishing'}
  | {type: 'published'; published: PublishedVersion}
  | {type: 'publishFailed'; error: string};

function reducer(state: TrainerState, action: Action): TrainerState {
  switch (action.type) {
    case 'start':
      return {...state, training: true, steps: [], trainError: undefined};
    case 'step':
      return {
        ...state,
        steps: [
          ...state.steps.map((s) => ({...s, done: true})),
          {step: action.step, detail: action.detail, done: false},
        ],
      };
    case 'trained':
      return {
        ...state,
        training: false,
        steps: state.steps.map((s) => ({...s, done: true})),
        model: action.model,
        published: undefined,
        publishError: undefined,
      };
    case 'trainFailed':
      return {...state, training: false, trainError: action.error};
    case 'publishing':
      return {...state, publishing: true, publishError: undefined};
    case 'published':
      return {...state, publishing: false, published: action.published};
    case 'publishFailed':
      return {...state, publishing: false, publishError: action.error};
  }
}

/**
 * Trains with modelWorkflow.trainModel, reporting each step as it starts, and publishes the result
 * through the registry. State survives screen switches (the screen stays mounted).
 */
export function useTrainer() {
  const {registry} = useServices();
  const [state, dispatch] = useReducer(reducer, {
    training: false,
    steps: [],
    dataPath: defaultDataPath(),
    publishing: false,
  });
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  const safe = useCallback((action: Action) => {
    if (mounted.current) dispatch(action);
  }, []);
  // Refs mirror the busy flags so a key pressed twice in one frame cannot start two runs.
  const busy = useRef({training: false, publishing: false});

  const train = useCallback(
    (options: TrainOptions, repeats = 1) => {
      if (busy.current.training) return;
      busy.current.training = true;
      safe({type: 'start'});
      trainModel(options, {
        dataPath: state.dataPath,
        repeats,
        onStep: (step, detail) => safe({type: 'step', step, detail}),
      })
        .then(
          (model) => safe({type: 'trained', model}),
          (error: unknown) => safe({type: 'trainFailed', error: errorLine(error)}),
        )
        .finally(() => {
          busy.current.training = false;
        });
    },
    [safe, state.dataPath],
  );

  const {model, published} = state;
  const publish = useCallback(() => {
    if (busy.current.publishing || busy.current.training) return;
    if (!model) {
      safe({type: 'publishFailed', error: 'nothing to publish yet: press t to train first'});
      return;
    }
    if (published?.version === model.artifact.id) {
      safe({type: 'publishFailed', error: `${model.artifact.id} is already published`});
      return;
    }
    busy.current.publishing = true;
    safe({type: 'publishing'});
    registry
      .publish(model.bytes, summaryOf(model.artifact))
      .then(
        (result) => safe({type: 'published', published: result}),
        (error: unknown) => safe({type: 'publishFailed', error: errorLine(error)}),
      )
      .finally(() => {
        busy.current.publishing = false;
      });
  }, [registry, model, published, safe]);

  return {state, train, publish};
}
