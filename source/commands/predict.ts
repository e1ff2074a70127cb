import {loadConfig} from '../services/config/config.js';
import {openServices} from '../services/connect.js';
import {InvalidInputError} from '../services/errors.js';
import {
  loadModel,
  predictionMessage,
  publishPrediction,
  validateInput,
} from '../services/app/modelWorkflow.js';
import {type Command, connectionHelp, overridesFrom} from './command.js';

export const predictCommand: Command = {
  usage: `
  Usage
    $ wine-tui predict --json '{"winery":"Vega Sicilia","wine":"Unico","year":2009,"region":"Ribera del Duero","type":"Ribera Del Duero Red","rating":4.8,"body":5}'

  Predicts one wine's price with the active version (or --version) and prints one JSON object:
  {request_id, price, version, unknown, published}. Categories the model never saw are listed in
  "unknown" and predicted from the other fields. With trusted keys (WINE_TUI_TRUSTED_KEYS) a version
  not signed by one of them is refused (exit code 2).

  Fields: winery, wine, region (text, required); rating 0-5 (required); year 1900-this year or
  "N.V."; type (text); body 1-5; acidity 1-5; num_reviews (whole number >= 0).

  Options
    --json INPUT      the wine, as a JSON object
    --version V       use this version instead of the active one
    --publish         also publish the prediction to app_messages and print its partition/offset
${connectionHelp}
`,
  flags: {json: {type: 'string'}, version: {type: 'string'}, publish: {type: 'boolean'}},
  async run({flags}, io) {
    if (typeof flags.json !== 'string') {
      throw new InvalidInputError(
        `predict needs the wine as --json '{"winery": ..., "rating": ...}'`,
      );
    }
    let raw: unknown;
    try {
      raw = JSON.parse(flags.json);
    } catch (error) {
      throw new InvalidInputError(`--json is not valid JSON: ${(error as Error).message}`);
    }
    const input = validateInput(raw);
    const config = loadConfig(overridesFrom(flags));
    const services = await openServices(config, {onWarning: (m) => io.stderr(`warning: ${m}`)});
    try {
      const model = await loadModel(
        services.registry,
        typeof flags.version === 'string' ? flags.version : undefined,
      );
      const message = predictionMessage(model, input);
      let published = null;
      if (flags.publish) {
        const at = await publishPrediction(services.bus, config.topics.predictions, message);
        published = {topic: at.topic, partition: at.partition, offset: at.offset};
      }
      io.stdout(
        JSON.stringify({
          request_id: message.request_id,
          price: message.price,
          version: message.version,
          unknown: message.unknown,
          published,
        }),
      );
      return 0;
    } finally {
      await services.close();
    }
  },
};
