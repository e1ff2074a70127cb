import {setTimeout as sleep} from 'node:timers/promises';
import {loadConfig, redact} from '../services/config/config.js';
import {openRequestStream, openServices} from '../services/connect.js';
import {InvalidInputError} from '../services/errors.js';
import {HeartbeatPublisher} from '../services/fleet/HeartbeatPublisher.js';
import {MetricsServer} from '../services/metrics/MetricsServer.js';
import {ServeMetrics} from '../services/metrics/ServeMetrics.js';
import {ModelHolder, registryModelSource} from '../services/predictor/ModelHolder.js';
import {PredictorService} from '../services/predictor/PredictorService.js';
import type {RequestStream} from '../services/ports/RequestStream.js';
import {type Command, overridesFrom} from './command.js';
import {percent, port, seconds} from './serveFlags.js';
import {sayChallengerEvent, sayModelEvent, sayStats} from './serveLines.js';
import {serveUsage} from './serveUsage.js';
import {heartbeatFigures, readiness} from './serveReporting.js';

const STOP_TIMEOUT_MS = 30_000;
const CLEANUP_TIMEOUT_MS = 5_000;

export const serveCommand: Command = {
  usage: serveUsage,
  flags: {
    group: {type: 'string'},
    atLeastOnce: {type: 'boolean'},
    json: {type: 'boolean'},
    reportEvery: {type: 'string'},
    heartbeatEvery: {type: 'string'},
    metricsPort: {type: 'string'},
    metricsHost: {type: 'string'},
    canaryPercent: {type: 'string'},
  },
  async run({input, flags}, io) {
    if (input.length > 0) {
      throw new InvalidInputError(`serve takes no arguments (got "${input[0]}"): see --help`);
    }
    const reportEvery = seconds(flags.reportEvery, '--report-every');
    const heartbeatEvery = seconds(flags.heartbeatEvery, '--heartbeat-every');
    const metricsPort = port(flags.metricsPort);
    const canaryPercent = percent(flags.canaryPercent, '--canary-percent');
    if (flags.metricsHost !== undefined && metricsPort === undefined) {
      throw new InvalidInputError('--metrics-host needs --metrics-port');
    }
    const metricsHost =
      typeof flags.metricsHost === 'string' && flags.metricsHost.trim() !== ''
        ? flags.metricsHost.trim()
        : '127.0.0.1';
    if (
      flags.group !== undefined &&
      (typeof flags.group !== 'string' || flags.group.trim() === '')
    ) {
      throw new InvalidInputError('--group needs a name');
    }
    const config = loadConfig(overridesFrom(flags));
    const groupId = typeof flags.group === 'string' ? flags.group.trim() : config.kafka.groupId;
    const json = Boolean(flags.json);
    const {topics} = config;

    const say = (event: Record<string, unknown>, text: string) => {
      if (json) io.stdout(redact(JSON.stringify({time: new Date().toISOString(), ...event})));
      else io.stderr(redact(`serve: ${text}`));
    };
    const warn = (message: string) => say({event: 'warning', message}, `warning: ${message}`);

    const services = await openServices(config, {onWarning: warn});
    let holder: ModelHolder | undefined;
    let challenger: ModelHolder | undefined;
    let stream: RequestStream | undefined;
    let heartbeats: HeartbeatPublisher | undefined;
    let metricsServer: MetricsServer | undefined;
    let lagTimer: NodeJS.Timeout | undefined;
    const metrics =
      metricsPort === undefined
        ? undefined
        : new ServeMetrics({group: groupId, requestsTopic: topics.requests});
    let stopping = false;
    let stopRequested!: () => void;
    const stopSignal = new Promise<'stop'>((resolve) => (stopRequested = () => resolve('stop')));
    let signals = 0;
    const onSignal = () => {
      signals += 1;
      if (signals === 1) {
        stopping = true;
        say({event: 'stopping'}, 'stopping: finishing the batch in hand (again to exit at once)');
        stopRequested();
      } else {
        process.exit(130);
      }
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    let timer: NodeJS.Timeout | undefined;
    try {
      if (metrics && metricsPort !== undefined) {
        // First: a port in use fails at once, and /healthz answers while the broker is still away.
        metricsServer = new MetricsServer({
          metrics,
          host: metricsHost,
          port: metricsPort,
          readiness: () => readiness(holder, stream, stopping),
          onError: warn,
        });
        const {url} = await metricsServer.listen();
        say({event: 'metrics', url}, `metrics on ${url}/metrics (/healthz, /readyz)`);
      }
      const created = await services.bus.ensureTopics(
        [
          topics.train,
          topics.requests,
          topics.predictions,
          topics.deadLetters,
          topics.status,
          topics.shadow,
        ],
        {compacted: [topics.status]},
      );
      for (const topic of created) say({event: 'topic_created', topic}, `created topic ${topic}`);
      holder = new ModelHolder({
        source: registryModelSource(services.registry, services.bus),
        onEvent: (event) => {
          if (event.type === 'serving') metrics?.setServing(event.version);
          sayModelEvent(say, event, topics);
        },
      });
      // Started first: a challenger already set is in use from the first batch on when it loads in time.
      challenger = new ModelHolder({
        source: registryModelSource(services.registry, services.bus, 'challenger'),
        onEvent: (event) => sayChallengerEvent(say, event),
      });
      await challenger.start();
      await holder.start();
      const models = holder;
      const challengerModels = challenger;
      const service = new PredictorService({
        models,
        challenger: challengerModels,
        canaryPercent,
        topics: {
          predictions: topics.predictions,
          deadLetters: topics.deadLetters,
          shadow: topics.shadow,
        },
        ...(metrics ? {observer: metrics} : {}),
      });
      metrics?.setDriftSource(() => service.driftFigures());
      // Reporting from now on: an instance waiting for its first model shows as such.
      heartbeats = new HeartbeatPublisher({
        bus: services.bus,
        topic: topics.status,
        group: groupId,
        requests: topics.requests,
        guarantee: config.bus === 'kafka' && !flags.atLeastOnce ? 'exactly-once' : 'at-least-once',
        intervalMs: heartbeatEvery * 1000,
        onWarning: warn,
        figures: () =>
          heartbeatFigures(
            {holder: models, challenger: challengerModels, canaryPercent},
            stream,
            service,
          ),
      });
      heartbeats.start();
      if (holder.version === null) {
        const first = await Promise.race([holder.firstModel(), stopSignal]);
        if (first === 'stop') return 0;
      }
      // A challenger already set scores from the first request on (unless it fails to load).
      if ((await Promise.race([challenger.settled(), stopSignal])) === 'stop') return 0;
      if (stopping) return 0;

      stream = await openRequestStream(services, {
        groupId,
        guarantee: flags.atLeastOnce ? 'at-least-once' : 'exactly-once',
        onWarning: warn,
        ...(process.env.WINE_TUI_DEBUG
          ? {onLog: (level, line) => io.stderr(redact(`kafkajs ${level}: ${line}`))}
          : {}),
      });
      say(
        {
          event: 'started',
          requests: topics.requests,
          predictions: topics.predictions,
          dead_letters: topics.deadLetters,
          group: groupId,
          guarantee: stream.guarantee,
          transport: stream.description,
          version: holder.version,
        },
        `consuming ${stream.description}; predictions to ${topics.predictions}, dead letters to ${topics.deadLetters}; model ${holder.version}`,
      );
      timer = setInterval(() => sayStats(say, service.stats(), false), reportEvery * 1000);
      const running = stream.run(service);
      if (metrics) {
        let reading = false;
        const readLag = async () => {
          if (reading) return; // A slow broker: skip a reading rather than pile them up.
          reading = true;
          await services.bus
            .groupOffsets(groupId, topics.requests)
            .then((offsets) => metrics.setLag(offsets))
            .catch(() => {}) // The next reading tries again.
            .finally(() => (reading = false));
        };
        void readLag();
        lagTimer = setInterval(() => void readLag(), heartbeatEvery * 1000);
      }
      running.catch(() => {});
      const outcome = await Promise.race([running.then(() => 'ended' as const), stopSignal]);
      if (outcome === 'stop') {
        const stopped = await Promise.race([
          stream
            .stop()
            .then(() => running)
            .then(() => true),
          new Promise<false>((resolve) =>
            setTimeout(() => resolve(false), STOP_TIMEOUT_MS).unref(),
          ),
        ]);
        if (!stopped) {
          warn(
            `could not stop cleanly within ${STOP_TIMEOUT_MS / 1000} s; uncommitted requests will be answered again`,
          );
          sayStats(say, service.stats({total: true}), true);
          return 1;
        }
      }
      sayStats(say, service.stats({total: true}), true);
      return 0;
    } finally {
      clearInterval(timer);
      clearInterval(lagTimer);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      // Bounded: after a broker outage kafkajs can take half a minute to close a consumer, and
      // an operator's SIGTERM must not wait for that. What is left is closed by the exit below.
      const cleanup = (async () => {
        await stream?.stop().catch(() => {});
        // The "stopped" record goes out once the last batch is committed, before the bus closes.
        await heartbeats?.stop();
        await Promise.allSettled([
          holder?.close(),
          challenger?.close(),
          metricsServer?.close(),
          services.close(),
        ]);
      })();
      // What is left open then is ended by the CLI's exit once the command returns.
      await Promise.race([cleanup, sleep(CLEANUP_TIMEOUT_MS, undefined, {ref: false})]);
    }
  },
};
