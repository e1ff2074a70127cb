"""The librdkafka anchor for bench/serve.ts: a transactional consume -> predict -> produce loop.

What the original pipeline's stack does when done properly, measured beside wine-tui serve in the
same run: Python with confluent-kafka (librdkafka), one transactional producer with consumer-group
fencing (KIP-447), one transaction per consumed batch holding its predictions and its offsets.
The per-request work matches serve's: JSON parse, field checks, a linear model over one-hot
lookups, a prediction envelope serialised as JSON. Benchmark only: not part of wine-tui.

  serve_loop.py BROKERS REQUESTS PREDICTIONS DEAD_LETTERS GROUP MODEL_JSON

MODEL_JSON: {"version", "log_target", "features": {numerical, categorical}, "weights", "intercept"}
as in a wine-tui model artifact. Prints "anchor: consuming" on stderr once running; SIGTERM stops it
after the transaction in hand.
"""

import datetime
import json
import math
import signal
import sys
import time

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition

brokers, requests, predictions, dead_letters, group, model_path = sys.argv[1:7]
with open(model_path, encoding="utf-8") as f:
    model = json.load(f)

weights = model["weights"]
intercept = model["intercept"]
log_target = model["log_target"]
version = model["version"]
numerical = [(n["name"], n["mean"], n["std"], i) for i, n in enumerate(model["features"]["numerical"])]
blocks = []
offset = len(numerical)
for block in model["features"]["categorical"]:
    column_of = {level: offset + k for k, level in enumerate(block["vocabulary"])}
    offset += len(block["vocabulary"])
    if block["other"]:
        for level in block["other"]:
            column_of[level] = offset
        offset += 1
    blocks.append((block["name"], column_of))

TEXT = ("winery", "wine", "region", "type")
RANGES = {"rating": (0, 5, True), "body": (1, 5, False), "acidity": (1, 5, False)}


def parse(value):
    """The request's id and wine, or (None, reason)."""
    try:
        request = json.loads(value)
    except (ValueError, TypeError) as error:
        return None, f"the request is not JSON ({error})"
    if not isinstance(request, dict):
        return None, "the request must be a JSON object"
    request_id = request.get("request_id")
    if not isinstance(request_id, str) or not request_id.strip():
        return None, "request_id is required"
    raw = request["input"] if "input" in request else request
    if not isinstance(raw, dict):
        return None, "input must be an object with wine fields"
    wine = {}
    for field in TEXT:
        v = raw.get(field)
        if v is None or (isinstance(v, str) and not v.strip()):
            if field != "type":
                return None, f"{field} is required"
            wine[field] = None
        elif not isinstance(v, str):
            return None, f"{field} must be text"
        else:
            wine[field] = v.strip()
    for field, (low, high, required) in RANGES.items():
        v = raw.get(field)
        if v is None:
            if required:
                return None, f"{field} is required"
            wine[field] = None
        elif not isinstance(v, (int, float)) or not low <= v <= high:
            return None, f"{field} must be a number from {low} to {high}"
        else:
            wine[field] = v
    year = raw.get("year")
    if year is not None and year != "N.V." and not (isinstance(year, int) and 1900 <= year <= 2100):
        return None, "year must be a whole year"
    wine["year"] = year
    wine["num_reviews"] = raw.get("num_reviews")
    return request_id, wine


def predict(wine):
    total = intercept
    for name, mean, std, column in numerical:
        v = wine.get(name)
        if v is not None:
            total += weights[column] * (v - mean) / std
    unknown = []
    for name, column_of in blocks:
        v = wine.get(name)
        category = "(missing)" if v is None else str(v)
        column = column_of.get(category)
        if column is not None:
            total += weights[column]
        elif category != "(missing)":
            unknown.append({"field": name, "value": category})
    return (math.exp(total) if log_target else total), unknown


stopping = False


def stop(*_):
    global stopping
    stopping = True


signal.signal(signal.SIGTERM, stop)

consumer = Consumer(
    {
        "bootstrap.servers": brokers,
        "group.id": group,
        "enable.auto.commit": False,
        "auto.offset.reset": "earliest",
        "isolation.level": "read_committed",
        # An idle fetch returns after this long; data returns at once (fetch.min.bytes 1).
        "fetch.wait.max.ms": 100,
    }
)
producer = Producer(
    {
        "bootstrap.servers": brokers,
        "transactional.id": f"anchor-{group}",
        "linger.ms": 1,
        # CONCURRENT_TRANSACTIONS (the previous commit still completing) is retried after this.
        "retry.backoff.ms": 5,
        "retry.backoff.max.ms": 100,
    }
)
producer.init_transactions()
consumer.subscribe([requests])
print("anchor: consuming", file=sys.stderr, flush=True)

while not stopping:
    # consume(n, timeout) waits for n messages or the timeout: wait for one, then take what is
    # already fetched, so a batch never waits for more to arrive.
    batch = consumer.consume(num_messages=1, timeout=0.1)
    if not batch:
        continue
    batch += consumer.consume(num_messages=10_000, timeout=0)
    received = time.perf_counter()
    producer.begin_transaction()
    next_offsets = {}
    for message in batch:
        if message.error():
            continue
        next_offsets[message.partition()] = message.offset() + 1
        request_id, wine = parse(message.value())
        if request_id is None:
            producer.produce(dead_letters, key=message.key(), value=json.dumps({"reason": wine}))
            continue
        price, unknown = predict(wine)
        out = {
            "request_id": request_id,
            "input": wine,
            "price": round(price * 100) / 100,
            "version": version,
            "unknown": unknown,
            "time": datetime.datetime.now(datetime.timezone.utc).isoformat(),
            "latency_ms": round((time.perf_counter() - received) * 1e6) / 1000,
        }
        while True:
            try:
                producer.produce(predictions, key=request_id, value=json.dumps(out))
                break
            except BufferError:
                producer.poll(0.005)
    offsets = [TopicPartition(requests, p, o) for p, o in next_offsets.items()]
    try:
        producer.send_offsets_to_transaction(offsets, consumer.consumer_group_metadata())
        producer.commit_transaction()
    except KafkaException as error:
        # A benchmark: no retries; the run is then reported as failed by its timeout.
        print(f"anchor: transaction failed: {error}", file=sys.stderr, flush=True)
        producer.abort_transaction()
        raise

consumer.close()
producer.flush(5)
