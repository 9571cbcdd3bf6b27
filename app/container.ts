import 'reflect-metadata'; // tsyringe needs the Reflect polyfill loaded before it
import { container as rootContainer, instanceCachingFactory } from 'tsyringe';
import type { DependencyContainer } from 'tsyringe';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { createHttpServer } from '../adapters/http/http-server.js';
import { KyselyRepository } from '../adapters/postgres/kysely-repository.js';
import type { Database } from '../adapters/postgres/schema.js';
import { PrometheusObserver } from '../adapters/metrics/prometheus-observer.js';
import { LexiconInterpreter } from '../adapters/interpreter/lexicon-interpreter.js';
import { ReceiveInboundMessage } from '../core/receive-inbound-message.js';
import type { Config } from './config.js';
import { PROVIDERS } from './providers.js';
import { TOKENS } from './tokens.js';

/**
 * The composition root: every adapter is chosen here, as a factory behind a typed token.
 * Callers (tests) may register their own instance for a token before resolving.
 */
export function buildContainer(config: Config, logger: Logger, db: Kysely<Database>): DependencyContainer {
  const c = rootContainer.createChildContainer();
  c.registerInstance(TOKENS.Config, config);
  c.registerInstance(TOKENS.Logger, logger);
  c.registerInstance(TOKENS.Database, db);
  c.registerInstance(TOKENS.Clock, () => new Date());
  c.register(TOKENS.Repository, {
    useFactory: instanceCachingFactory((d) => new KyselyRepository(d.resolve(TOKENS.Database))),
  });
  c.register(TOKENS.Interpreter, { useFactory: instanceCachingFactory(() => new LexiconInterpreter()) });
  c.register(TOKENS.WebhookRoutes, {
    useFactory: instanceCachingFactory((d) =>
      PROVIDERS.map((provider) => {
        const { verifier, listener } = provider.create(config);
        const receive = new ReceiveInboundMessage({
          verifier,
          listener,
          interpreter: d.resolve(TOKENS.Interpreter),
          repository: d.resolve(TOKENS.Repository),
          clock: d.resolve(TOKENS.Clock),
          brand: config.brand,
        });
        return { path: provider.path, methods: provider.methods, receive, listener };
      }),
    ),
  });
  c.register(TOKENS.HttpServer, {
    useFactory: instanceCachingFactory((d) => {
      const repository = d.resolve(TOKENS.Repository);
      return createHttpServer({
        publicUrl: config.publicUrl,
        routes: d.resolve(TOKENS.WebhookRoutes),
        ready: () => repository.ping(),
        logger: d.resolve(TOKENS.Logger),
        bodyLimit: config.bodyLimit,
        handlerTimeoutMs: config.handlerTimeoutMs,
        headersTimeoutMs: config.headersTimeoutMs,
        requestTimeoutMs: config.requestTimeoutMs,
        observer: new PrometheusObserver(),
      });
    }),
  });
  return c;
}
