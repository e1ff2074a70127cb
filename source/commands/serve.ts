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
import {type Command, connectionHelp, overridesFrom} from './command.js';
import {port, seconds} from './serveFlags.js';
import {sayModelEvent, sayStats} from './serveLines.js';
import {heartbeatFigures, readiness} from './serveReporting.js';

const STOP_TIMEOUT_MS = 30_000;
const CLEANUP_TIMEOUT_MS = 5_000;

export const serveCommand: Command = {
  usage: `
  Usage
    $ wine-tui serve [--group NAME] [--at-least-once] [--json] [--report-every SECONDS]
                     [--heartbeat-every SECONDS] [--metrics-port N [--metrics-host HOST]]

  The predictor service: consumes prediction requests from the requests topic (predict_requests),
  answers each with one prediction on app_messages, and sends requests it cannot answer to the
  dead-letter topic (predict_requests.dlq). Topic names come from kafka_config.yaml (topics:).
  Missing topics are created with the broker's defaults (one "created topic" line each); one the
  broker refuses to create stops serve with exit code 2 before it consumes anything. A topic
  deleted while serve runs is said once, with the fix; requests wait (nothing is committed or
  lost) until it exists again. Several instances with the same --group share the requests
  topic's partitions; those of an instance that dies move to the others after about 10 s.
  SIGTERM or Ctrl+C finishes the batch in hand, commits it and exits 0.

  Request (message value, JSON):
    {"request_id": "r-1", "input": {"winery": "Vega Sicilia", "wine": "Unico", "year": 2009,
     "region": "Ribera del Duero", "type": "Ribera Del Duero Red", "rating": 4.8, "body": 5}}
  or the wine fields at the top level beside "request_id". request_id: text, up to 200 characters.
  Wine fields as for \`wine-tui predict\`; a request is at most 64 KiB.

  Prediction (key: request_id):
    {request_id, input, price, version, unknown, time, latency_ms}
  latency_ms: from the request reaching the service to its prediction being made.

  Dead letter (key: the request's key; headers wine-tui-reason, -topic, -partition, -offset):
    {reason, request_id, topic, partition, offset, timestamp, key, size, sha256, value_base64,
     truncated, redrive_count, time}
  value_base64 holds the original bytes, or their first 64 KiB with "truncated": true (size and
  sha256 are always those of the whole original), so a dead letter always fits the broker's limit.

  Model: the newest announcement on the train topic, fetched from the store and checked. New
  announcements load in the background and take over between batches; a version that cannot be
  loaded is retried with back-off while the previous one keeps serving. With no version announced
  yet, serve waits for one before consuming requests. With trusted keys (WINE_TUI_TRUSTED_KEYS or
  signing.trusted_keys) a version that is unsigned, signed by another key, or whose signature does
  not match its content is refused: said once, not retried, and the previous version keeps serving.

  Delivery: with Kafka, exactly-once: each batch's predictions, dead letters and offsets are
  committed in one transaction (a read_committed consumer sees one prediction per request).
  --at-least-once publishes and then commits offsets, for brokers without transactions (a crash
  may answer a request twice). On the embedded bus (no broker configured): at-least-once, one
  instance per group; the offset is kept in the state folder.

  Heartbeats: every instance publishes its state (partitions, version, rate, latency, dead
  letters) on the status topic (wine_tui_status, compacted, key: the instance id) at start, every
  --heartbeat-every seconds, and a last "stopped" record on a clean stop. \`wine-tui status\` and the
  Pipeline screen read them; an instance silent for three intervals is shown as stale.

  Metrics: with --metrics-port, an HTTP server on --metrics-host (default 127.0.0.1) answers
  /metrics (Prometheus text format), /healthz (the process is alive) and /readyz (200 once a model
  is loaded and the consumer has joined its group, 503 before).

  Options
    --group NAME              consumer group (default: group.id from kafka_config.yaml)
    --at-least-once           no transactions (see above)
    --json                    reports and events as JSON lines on stdout instead of text on stderr
    --report-every SECONDS    throughput and latency report interval (default 5)
    --heartbeat-every SECONDS heartbeat interval on the status topic (default 5)
    --metrics-port N          serve /metrics, /healthz and /readyz on this port (default: off)
    --metrics-host HOST       the address the metrics server listens on (default 127.0.0.1)
${connectionHelp}
`,
  flags: {
    group: {type: 'string'},
    atLeastOnce: {type: 'boolean'},
    json: {type: 'boolean'},
    reportEvery: {type: 'string'},
    heartbeatEvery: {type: 'string'},
    metricsPort: {type: 'string'},
    metricsHost: {type: 'string'},
  },
  async run({input, flags}, io) {
    if (input.length > 0) {
      throw new InvalidInputError(`serve takes no arguments (got "${input[0]}"): see --help`);
    }
    const reportEvery = seconds(flags.reportEvery, '--report-every');
    const heartbeatEvery = seconds(flags.heartbeatEvery, '--heartbeat-every');
    const metricsPort = port(flags.metricsPort);
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
        [topics.train, topics.requests, topics.predictions, topics.deadLetters, topics.status],
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
      await holder.start();
      const models = holder;
      const service = new PredictorService({
        models,
        topics: {predictions: topics.predictions, deadLetters: topics.deadLetters},
        ...(metrics ? {observer: metrics} : {}),
      });
      // Reporting from now on: an instance waiting for its first model shows as such.
      heartbeats = new HeartbeatPublisher({
        bus: services.bus,
        topic: topics.status,
        group: groupId,
        requests: topics.requests,
        guarantee: config.bus === 'kafka' && !flags.atLeastOnce ? 'exactly-once' : 'at-least-once',
        intervalMs: heartbeatEvery * 1000,
        onWarning: warn,
        figures: () => heartbeatFigures(models, stream, service),
      });
      heartbeats.start();
      if (holder.version === null) {
        const first = await Promise.race([holder.firstModel(), stopSignal]);
        if (first === 'stop') return 0;
      }
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
        await Promise.allSettled([holder?.close(), metricsServer?.close(), services.close()]);
      })();
      // What is left open then is ended by the CLI's exit once the command returns.
      await Promise.race([cleanup, sleep(CLEANUP_TIMEOUT_MS, undefined, {ref: false})]);
    }
  },
};
