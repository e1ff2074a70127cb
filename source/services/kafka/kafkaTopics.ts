// Types only: kafkajs itself is imported on first use, to keep start-up fast.
import type {Admin} from 'kafkajs';
import {causes, missingTopicError} from './kafkaErrors.js';
import type {KafkaSettings} from '../config/settings.js';
import {backoff, pause, retry} from '../retry.js';

/*
 * Topics that come and go under a running client: listing them while others create and delete
 * theirs, and, for a long-running service, saying that one of its own is gone once per outage
 * rather than on every retry.
 */

const LIST_RETRY = {retries: 4, initialMs: 200, maxMs: 1_600, jitter: 0.2};
const WAIT_BACKOFF = {initialMs: 500, maxMs: 5_000, jitter: 0.2};

/** Metadata errors a topic shows while it is missing, or for a moment while it is being created. */
export function isTopicChurn(error: unknown): boolean {
  return causes(error).some((cause) =>
    /^(UNKNOWN_TOPIC_OR_PARTITION|LEADER_NOT_AVAILABLE)$/.test(
      String((cause as {type?: unknown}).type),
    ),
  );
}

/**
 * Every topic's name. kafkajs fails the whole listing when any topic of the cluster, even one of
 * somebody else's, is half created or half deleted; that passes within moments, so retry a little.
 */
export function listTopicNames(admin: Admin): Promise<string[]> {
  return retry(() => admin.listTopics(), {...LIST_RETRY, shouldRetry: isTopicChurn});
}

/** Those of `topics` that do not exist now. */
export async function missingTopics(admin: Admin, topics: Iterable<string>): Promise<string[]> {
  const existing = new Set(await listTopicNames(admin));
  return [...new Set(topics)].filter((topic) => !existing.has(topic));
}

export interface TopicWatchOptions {
  settings: KafkaSettings;
  admin: () => Promise<Admin>;
  warn: (line: string) => void;
  /** What each topic is to the service, e.g. 'dead-letter topic'; 'topic' for the others. */
  labels: Record<string, string>;
}

/**
 * A long-running consumer's topics that may be deleted under it. Each missing topic is said once
 * (naming it and the fix) when the outage is first met and once when it is over, however often the
 * retries in between fail on it.
 */
export class TopicWatch {
  private readonly gone = new Set<string>();
  private readonly explained = new WeakSet<object>();
  private readonly closed = new AbortController();

  constructor(private readonly options: TopicWatchOptions) {}

  /**
   * After a failure: those of `topics` that are missing, if `error` is about a missing topic. Each
   * is said the first time, with `then` (what the service does meanwhile) appended.
   */
  async missing(error: unknown, topics: Iterable<string>, then: string): Promise<string[]> {
    return (await this.check(error, topics, then)) ?? [];
  }

  /** Those of `topics` that were said missing are back: says so; true if it said anything. */
  back(topics: Iterable<string>, then: string): boolean {
    if (this.gone.size === 0) return false;
    let said = false;
    for (const topic of new Set(topics)) {
      if (!this.gone.delete(topic)) continue;
      this.options.warn(`${this.label(topic)} ${topic} is back; ${then}`);
      said = true;
    }
    return said;
  }

  /**
   * When `error` is about `topic` being missing: says so, then waits until it exists again (or the
   * watch is closed). Returns at once for any other error.
   */
  async untilExists(topic: string, error: unknown, then: string, back: string): Promise<void> {
    const {signal} = this.closed;
    for (let waits = 0; ; waits++) {
      if (signal.aborted) return;
      const missing = await this.check(error, [topic], then);
      // Unknown (the listing failed) counts as still missing once the topic was said missing.
      if (missing ? missing.length === 0 : !this.gone.has(topic)) break;
      if (!(await pause(backoff(WAIT_BACKOFF, waits), {signal}))) return; // Closed.
    }
    this.back([topic], back);
  }

  /** Whether `error` was already said as a missing topic. */
  explains(error: unknown): boolean {
    return error instanceof Object && this.explained.has(error);
  }

  /** Ends the waits. */
  close(): void {
    this.closed.abort();
  }

  /** As missing(), but undefined when the topics could not be listed. */
  private async check(
    error: unknown,
    topics: Iterable<string>,
    then: string,
  ): Promise<string[] | undefined> {
    if (!isTopicChurn(error)) return [];
    let missing: string[];
    try {
      missing = await missingTopics(await this.options.admin(), topics);
    } catch {
      return undefined;
    }
    for (const topic of missing) {
      if (this.gone.has(topic)) continue;
      this.gone.add(topic);
      const line = missingTopicError(this.options.settings, topic, this.label(topic)).message;
      this.options.warn(`${line}; ${then}`);
    }
    if (missing.length > 0 && error instanceof Object) this.explained.add(error);
    return missing;
  }

  private label(topic: string): string {
    return this.options.labels[topic] ?? 'topic';
  }
}
