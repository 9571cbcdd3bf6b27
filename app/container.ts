import 'reflect-metadata'; // tsyringe needs the Reflect polyfill loaded before it
import { container as rootContainer, instanceCachingFactory } from 'tsyringe';
import type { DependencyContainer } from 'tsyringe';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { createHttpServer } from '../adapters/http/http-server.js';
import type { WebhookRoute } from '../adapters/http/http-server.js';
import {
  ClassifierInterpreter,
  DEFAULT_POLICY,
  loadBundledModel,
} from '../adapters/interpreter/classifier-interpreter.js';
import { PrometheusObserver } from '../adapters/metrics/prometheus-observer.js';
import { KyselyPartStore } from '../adapters/postgres/kysely-part-store.js';
import { KyselyRepository } from '../adapters/postgres/kysely-repository.js';
import type { Database } from '../adapters/postgres/schema.js';
import type { ReplySender } from '../core/ports/reply-sender.js';
import type { ProviderAdapters } from '../core/ports/sms-provider.js';
import { CheckContactability } from '../core/contactability.js';
import { ReceiveDeliveryReceipt } from '../core/receive-delivery-receipt.js';
import { toE164 } from '../adapters/phone/phone-numbers.js';
import { ReceiveInboundMessage } from '../core/receive-inbound-message.js';
import type { Config } from './config.js';
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
      return new Map(config.providers.map((provider) => [provider.name, provider.create({ clock })]));
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
  c.register(TOKENS.Pipelines, {
    useFactory: instanceCachingFactory((d) => {
      const pipelines = new Map<string, ReceiveInboundMessage>();
      for (const [name, { verifier, listener, multipart, replies }] of d.resolve(TOKENS.Providers)) {
        const pipeline = new ReceiveInboundMessage({
          verifier,
          listener,
          interpreter: d.resolve(TOKENS.Interpreter),
          repository: d.resolve(TOKENS.Repository),
          clock: d.resolve(TOKENS.Clock),
          brand: config.brand,
          ...(multipart ? { parts: { store: d.resolve(TOKENS.PartStore), format: multipart } } : {}),
          ...(replies ? { outbox: d.resolve(TOKENS.Outbox) } : {}),
        });
        pipelines.set(name, pipeline);
      }
      return pipelines;
    }),
  });
  c.register(TOKENS.WebhookRoutes, {
    useFactory: instanceCachingFactory((d) => {
      const pipelines = d.resolve(TOKENS.Pipelines);
      const providers = d.resolve(TOKENS.Providers);
      const repository = d.resolve(TOKENS.Repository);
      return config.providers.flatMap(({ name, route, receiptRoute }): WebhookRoute[] => {
        const pipeline = pipelines.get(name) as ReceiveInboundMessage;
        const { verifier, listener, receipts } = providers.get(name) as ProviderAdapters;
        const inbound: WebhookRoute = {
          provider: name,
          ...route,
          receive: (request) => pipeline.execute(request),
          answer: (reply) => listener.answer(reply),
        };
        if (receiptRoute === undefined || receipts === undefined) return [inbound];
        const deliveries = new ReceiveDeliveryReceipt({ verifier, listener: receipts, repository });
        const answer = () => ({ status: 200, contentType: null, body: '' });
        return [inbound, { provider: name, ...receiptRoute, receive: (r) => deliveries.execute(r), answer }];
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
        contactability: (phones) => {
          const check = new CheckContactability(repository);
          return Promise.all(
            phones.map((typed) => {
              const phone = toE164(typed, config.phoneRegion);
              return phone === null ? null : check.execute(phone);
            }),
          );
        },
      });
    }),
  });
  return c;
}
