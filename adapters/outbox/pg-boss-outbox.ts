import { createHash } from 'node:crypto';
import type PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import { ReplyError, storage } from '../../core/errors.js';
import type { OutboundReply, ReplyOutbox } from '../../core/ports/reply-outbox.js';
import type { ReplySender } from '../../core/ports/reply-sender.js';
import { maskPhone } from '../../core/privacy.js';

export const REPLY_QUEUE = 'sms-replies';

export interface PgBossOutboxOptions {
  /** Attempts after the first one, spaced by `retryDelaySeconds` doubling each time. */
  readonly retryLimit: number;
  readonly retryDelaySeconds: number;
  /** How often an idle worker looks for due jobs (pg-boss's minimum is 0.5 s). */
  readonly pollingIntervalSeconds: number;
  /** How long `stop` waits for a reply being sent. */
  readonly stopTimeoutMs: number;
}

/**
 * The reply outbox on pg-boss, a Postgres job queue in our own database (schema `pgboss`): a job
 * per reply, its id derived from the message so that queuing it twice is a no-op, sent by a worker
 * that retries with back-off when the provider fails and gives up on a refusal.
 */
export class PgBossOutbox implements ReplyOutbox {
  constructor(
    private readonly boss: PgBoss,
    private readonly options: PgBossOutboxOptions,
    private readonly logger: Logger,
  ) {}

  /** Creates or upgrades pg-boss's schema and the queue. */
  async start(): Promise<void> {
    this.boss.on('error', (error) => this.logger.warn({ reason: error.message }, 'reply queue error'));
    await this.boss.start();
    await this.boss.createQueue(REPLY_QUEUE); // a no-op when it exists
  }

  async enqueue(reply: OutboundReply): Promise<void> {
    await storage('queueing a reply', () =>
      this.boss.send(REPLY_QUEUE, reply, {
        id: jobId(reply),
        retryLimit: this.options.retryLimit,
        retryDelay: this.options.retryDelaySeconds,
        retryBackoff: true,
      }),
    );
  }

  /** Sends queued replies with the provider's sender until `stop`. */
  async work(senders: ReadonlyMap<string, ReplySender>): Promise<void> {
    const options = { includeMetadata: true as const, pollingIntervalSeconds: this.options.pollingIntervalSeconds };
    await this.boss.work<OutboundReply>(REPLY_QUEUE, options, async ([job]) => {
      const { data: reply, retryCount, retryLimit } = job as PgBoss.JobWithMetadata<OutboundReply>;
      const log = this.logger.child({
        provider: reply.provider,
        id: reply.inbound_message_id,
        to: maskPhone(reply.to),
      });
      const sender = senders.get(reply.provider);
      if (sender === undefined) {
        log.error('reply not sent: the provider is not enabled');
        return { sent: false, reason: 'provider not enabled' };
      }
      try {
        await sender.send(reply);
      } catch (error) {
        const retryable = !(error instanceof ReplyError) || error.retryable;
        const reason = (error as Error).message;
        if (!retryable || retryCount >= retryLimit) {
          log.error({ reason, attempts: retryCount + 1 }, 'reply not sent: given up');
          return { sent: false, reason };
        }
        log.warn({ reason, attempt: retryCount + 1 }, 'reply not sent yet: will retry');
        throw error;
      }
      log.info({ attempts: retryCount + 1 }, 'reply sent');
      return { sent: true };
    });
  }

  /** Stops the worker (waiting for a reply in progress) and pg-boss's connections. */
  stop(): Promise<void> {
    return this.boss.stop({ graceful: true, wait: true, timeout: this.options.stopTimeoutMs });
  }
}

/** A UUID (pg-boss ids are UUIDs) fixed by the provider and our message id. */
export function jobId(reply: Pick<OutboundReply, 'provider' | 'inbound_message_id'>): string {
  const hex = createHash('sha256').update(`${reply.provider}\n${reply.inbound_message_id}`).digest('hex');
  const variant = ((Number.parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
