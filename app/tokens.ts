import type { Server } from 'node:http';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { InjectionToken } from 'tsyringe';
import type { WebhookRoute } from '../adapters/http/http-server.js';
import type { Database } from '../adapters/postgres/schema.js';
import type { Clock } from '../core/ports/clock.js';
import type { PartStore } from '../core/ports/part-store.js';
import type { ReplyOutbox } from '../core/ports/reply-outbox.js';
import type { ReplySender } from '../core/ports/reply-sender.js';
import type { Repository } from '../core/ports/repository.js';
import type { ResponseInterpreter } from '../core/ports/response-interpreter.js';
import type { ProviderAdapters } from '../core/ports/sms-provider.js';
import type { ReceiveInboundMessage } from '../core/receive-inbound-message.js';
import type { Config } from './config.js';

/** Typed injection tokens: no string ids, no decorators (tsx cannot emit their metadata). */
export const TOKENS = {
  Config: Symbol('Config') as InjectionToken<Config>,
  Logger: Symbol('Logger') as InjectionToken<Logger>,
  Database: Symbol('Database') as InjectionToken<Kysely<Database>>,
  Repository: Symbol('Repository') as InjectionToken<Repository>,
  Interpreter: Symbol('ResponseInterpreter') as InjectionToken<ResponseInterpreter>,
  Clock: Symbol('Clock') as InjectionToken<Clock>,
  PartStore: Symbol('PartStore') as InjectionToken<PartStore>,
  /** The enabled providers' adapters, by provider name. */
  Providers: Symbol('Providers') as InjectionToken<Map<string, ProviderAdapters>>,
  /** Registered by the service when an enabled provider sends replies through its API. */
  Outbox: Symbol('ReplyOutbox') as InjectionToken<ReplyOutbox>,
  /** Each provider's reply sender, for the outbox worker. */
  ReplySenders: Symbol('ReplySenders') as InjectionToken<Map<string, ReplySender>>,
  /** Each enabled provider's inbound use case, by provider name. */
  Pipelines: Symbol('Pipelines') as InjectionToken<Map<string, ReceiveInboundMessage>>,
  WebhookRoutes: Symbol('WebhookRoutes') as InjectionToken<WebhookRoute[]>,
  HttpServer: Symbol('HttpServer') as InjectionToken<Server>,
} as const;
