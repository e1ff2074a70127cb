import {connectionHelp} from './command.js';

/** `wine-tui serve --help`. */
export const serveUsage = `
  Usage
    $ wine-tui serve [--group NAME] [--at-least-once] [--json] [--report-every SECONDS]
                     [--heartbeat-every SECONDS] [--metrics-port N [--metrics-host HOST]]
                     [--canary-percent P]

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

  Challenger (wine-tui models alias set challenger VERSION): loaded beside the champion and scored
  on every request; its price goes to the shadow topic (app_messages.shadow, topics: shadow) in
  the same transaction as the answer, one record per answered request (key: request_id):
    {request_id, version, price, champion_version, champion_price, answered_by, time}
  (price null and "error" when the challenger gave none). A challenger that cannot be loaded is
  said once; serving goes on with the champion alone. Clearing the alias stops the scoring at the
  next batch. --canary-percent P lets the challenger answer P% of requests, chosen by a hash of
  request_id (a request sent again gets the same version); the prediction's version says which
  answered, and the shadow record still carries both prices.

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
    --canary-percent P        the challenger's share of answers, 0 to 100 (default 0: shadow only)
${connectionHelp}
`;
