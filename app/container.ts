import 'reflect-metadata'; // tsyringe needs the Reflect polyfill loaded before it
import { container as rootContainer, instanceCachingFactory } from 'tsyringe';
import type { DependencyContainer } from 'tsyringe';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { createHttpServer } from '../adapters/http/http-server.js';
import type { WebhookReceiver } from '../adapters/http/http-server.js';
import { AssemblingReceiver } from '../adapters/multipart/assembling-receiver.js';
import { KyselyPartStore } from '../adapters/multipart/kysely-part-store.js';
import { ReplyingReceiver } from '../adapters/outbox/replying-receiver.js';
import type { SignatureVerifier } from '../core/ports/signature-verifier.js';
import { KyselyRepository } from '../adapters/postgres/kysely-repository.js';
import type { Database } from '../adapters/postgres/schema.js';
import { PrometheusObserver } from '../adapters/metrics/prometheus-observer.js';
import {
  ClassifierInterpreter,
  DEFAULT_POLICY,
  loadBundledModel,
} from '../adapters/interpreter/classifier-interpreter.js';
import { ReceiveInboundMessage } from '../core/receive-inbound-message.js';
import type { Config } from './config.js';
import type { ReplySender } from '../adapters/outbox/outbox.js';
import type { ProviderAdapters } from './providers.js';
import { enabledProviders } from './providers.js';
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
  c.register(TOKENS.Interpreter, {
    useFactory: instanceCachingFactory(
      () => new ClassifierInterpreter(loadBundledModel(), DEFAULT_POLICY, config.phoneRegion),
    ),
  });
  c.register(TOKENS.PartStore, {
    useFactory: instanceCachingFactory((d) => new KyselyPartStore(d.resolve(TOKENS.Database))),
  });
  c.register(TOKENS.Providers, {
    useFactory: instanceCachingFactory((d) => {
      const clock = d.resolve(TOKENS.Clock);
      return new Map(enabledProviders(config).map((provider) => [provider.name, provider.create(config, clock)]));
    }),
  });
  c.register(TOKENS.ReplySenders, {
    useFactory: instanceCachingFactory((d) => {
      const senders = new Map<string, ReplySender>();
      for (const [name, adapters] of d.resolve(TOKENS.Providers))
        if (adapters.replies) senders.set(name, adapters.replies);
      return senders;
    }),
  });
  c.register(TOKENS.WebhookRoutes, {
    useFactory: instanceCachingFactory((d) => {
      const clock = d.resolve(TOKENS.Clock);
      const providers = d.resolve(TOKENS.Providers);
      return enabledProviders(config).map((provider) => {
        const { verifier, listener, multipart, replies } = providers.get(provider.name) as ProviderAdapters;
        const pipeline = (checks: SignatureVerifier): WebhookReceiver => {
          const receive = new ReceiveInboundMessage({
            verifier: checks,
            listener,
            interpreter: d.resolve(TOKENS.Interpreter),
            repository: d.resolve(TOKENS.Repository),
            clock,
            brand: config.brand,
          });
          return replies ? new ReplyingReceiver(receive, listener, d.resolve(TOKENS.Outbox), clock) : receive;
        };
        const receive = multipart
          ? new AssemblingReceiver({
              verifier,
              listener,
              parts: d.resolve(TOKENS.PartStore),
              format: multipart,
              clock,
              pipeline,
            })
          : pipeline(verifier);
        return { path: provider.path, methods: provider.methods, receive, listener };
      });
    }),
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
