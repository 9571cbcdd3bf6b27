import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../adapters/postgres/schema.js';
import type { Config } from './config.js';
import { buildContainer } from './container.js';
import { openDatabase } from './database.js';
import { TOKENS } from './tokens.js';
import type { DependencyContainer } from 'tsyringe';

export interface RunningService {
  readonly server: Server;
  readonly port: number;
  readonly container: DependencyContainer;
  /** Stops accepting, lets in-flight requests finish (up to the shutdown timeout), closes the database. */
  stop(): Promise<void>;
}

/** Opens and migrates the database, composes the service and listens. */
export async function startService(
  config: Config,
  logger: Logger,
  setup: (container: DependencyContainer) => void = () => {},
  db?: Kysely<Database>,
): Promise<RunningService> {
  const database = db ?? (await openDatabase(config, logger));
  const container = buildContainer(config, logger, database);
  setup(container);
  // Providers that reply through their API get the outbox and its worker, before any request. The
  // job queue (pg-boss) is loaded only then: with Twilio alone it would hold memory for nothing.
  const senders = container.resolve(TOKENS.ReplySenders);
  const outbox =
    senders.size > 0 && !container.isRegistered(TOKENS.Outbox)
      ? (await import('./jobs.js')).createOutbox(config, database, logger)
      : null;
  if (outbox !== null) container.registerInstance(TOKENS.Outbox, outbox);
  const server = container.resolve(TOKENS.HttpServer);
  try {
    if (outbox !== null) {
      await outbox.start();
      await outbox.work(senders);
    }
    server.listen(config.port, config.host);
    await once(server, 'listening');
  } catch (error) {
    await outbox?.stop();
    await database.destroy();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  const expiry = setInterval(() => void expireParts(container, logger), PARTS_EXPIRY_INTERVAL_MS);
  expiry.unref();
  logger.info(
    {
      host: config.host,
      port,
      publicUrl: config.publicUrl,
      database: config.databaseUrl === null ? 'pglite' : 'postgres',
    },
    'listening',
  );

  let stopping: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    clearInterval(expiry);
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), config.shutdownTimeoutMs);
    });
    const late = await Promise.race([closed.then(() => false), timedOut]);
    clearTimeout(timer);
    if (late) {
      logger.warn({ timeoutMs: config.shutdownTimeoutMs }, 'in-flight requests cut off at shutdown');
      server.closeAllConnections();
    }
    await outbox?.stop();
    await database.destroy();
    logger.info('stopped');
  };
  return { server, port, container, stop: () => (stopping ??= stop()) };
}

/** How often incomplete multipart messages past their window are read (each instance; they skip each other's). */
export const PARTS_EXPIRY_INTERVAL_MS = 60_000;

/** Reads the incomplete messages of every provider that assembles parts; a failure is logged and retried next time. */
export async function expireParts(container: DependencyContainer, logger: Logger, now = new Date()): Promise<number> {
  let read = 0;
  for (const [provider, pipeline] of container.resolve(TOKENS.Pipelines)) {
    try {
      const outcomes = await pipeline.expireStale(now);
      read += outcomes.length;
      if (outcomes.length > 0) logger.info({ provider, count: outcomes.length }, 'incomplete messages read');
    } catch (error) {
      logger.error({ err: error, provider }, 'incomplete messages not read: will retry');
    }
  }
  return read;
}
