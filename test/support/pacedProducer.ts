/**
 * A producer whose progress the test controls instead of assumes. It sends messages in chunks and
 * never goes past the limit the test last allowed: a test that must act "while requests are still
 * coming" holds it below the total until it has acted, however fast or slow the machine is.
 */
import type {Message, Producer} from 'kafkajs';

export interface PacedProducerOptions {
  /** How many messages in all. */
  total: number;
  /** Messages per send. */
  chunk: number;
  /** Messages it may produce before the test allows more (default: all). */
  limit?: number;
  /** A pause after each chunk, so that the stream lasts a while when nothing holds it. */
  pauseMs?: number;
  /** Sends a refused chunk again (a broker that is down), instead of failing. */
  retry?: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class PacedProducer {
  /** Messages the broker acknowledged so far. */
  produced = 0;
  /** Settles when every message is produced (or after stop()); rejects on a send error. */
  readonly finished: Promise<void>;
  private limit: number;
  private stopped = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly producer: Producer,
    private readonly topic: string,
    private readonly messages: (from: number, count: number) => Message[],
    private readonly options: PacedProducerOptions,
  ) {
    this.limit = Math.min(options.limit ?? options.total, options.total);
    this.finished = this.run();
    // A test that fails before awaiting `finished` must not also report an unhandled rejection.
    this.finished.catch(() => {});
  }

  /** Lets it produce up to `limit` messages in all. */
  allow(limit: number): void {
    this.limit = Math.min(Math.max(this.limit, limit), this.options.total);
    this.wake?.();
  }

  allowAll(): void {
    this.allow(this.options.total);
  }

  /** Ends it early (a failed test): no more sends, the producer is disconnected. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.finished.catch(() => {});
  }

  private async run(): Promise<void> {
    const {total, chunk, pauseMs = 0, retry = false} = this.options;
    try {
      while (this.produced < total && !this.stopped) {
        if (this.produced >= this.limit) {
          await new Promise<void>((resolve) => (this.wake = resolve));
          this.wake = undefined;
          continue;
        }
        const count = Math.min(chunk, this.limit - this.produced);
        const messages = this.messages(this.produced, count);
        for (;;) {
          try {
            await this.producer.send({topic: this.topic, messages});
            break;
          } catch (error) {
            if (!retry || this.stopped) throw error;
            await sleep(500);
          }
        }
        this.produced += count;
        if (pauseMs > 0) await sleep(pauseMs);
      }
    } finally {
      await this.producer.disconnect().catch(() => {});
    }
  }
}
