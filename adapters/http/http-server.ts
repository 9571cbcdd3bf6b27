import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { DeadlineError, failureCause } from '../../core/errors.js';
import type { ProviderAnswer } from '../../core/ports/response-listener.js';
import type { ServiceObserver } from '../../core/ports/service-observer.js';
import type { SignedRequest } from '../../core/ports/signature-verifier.js';
import type { HttpMethod } from '../../core/ports/sms-provider.js';
import { maskPhone } from '../../core/privacy.js';
import type { ReceiptOutcome } from '../../core/receive-delivery-receipt.js';
import type { ReceiveOutcome } from '../../core/receive-inbound-message.js';
import { parseForm, RequestError } from './form.js';

/** One provider's webhook: where it is called, its use case, and how it acknowledges. */
export interface WebhookRoute {
  readonly provider: string;
  readonly path: string;
  /** `POST` (form body), and `GET` (query fields) for providers that can be set to use it. */
  readonly methods: readonly HttpMethod[];
  /** The provider's use case (`ReceiveInboundMessage` or `ReceiveDeliveryReceipt`). */
  readonly receive: (request: SignedRequest) => Promise<ReceiveOutcome | ReceiptOutcome>;
  /** The answer that acknowledges a stored message, carrying its reply when there is one. */
  readonly answer: (reply: string | null) => ProviderAnswer;
}

export interface HttpServerOptions {
  /** Public base URL the providers call (`https://app.berinia.com`): what signatures cover. */
  readonly publicUrl: string;
  readonly routes: readonly WebhookRoute[];
  /** Readiness: resolves when the database answers. */
  readonly ready: () => Promise<void>;
  readonly logger: Logger;
  /** Largest accepted body, in bytes. */
  readonly bodyLimit: number;
  /** Deadline for handling one webhook, below the provider's own (Twilio waits 15 s). */
  readonly handlerTimeoutMs: number;
  /** Time allowed to receive the headers, then the whole request (slow clients are cut off). */
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  /** Metrics; without one, nothing is counted and `/metrics` is not found. */
  readonly observer?: ServiceObserver;
  /**
   * `/v1/contactability` for BerinIA's sending side (loopback only, like `/metrics`: the Nginx site
   * does not proxy it): each number as typed, answered with its permissions, or null for text that
   * is not a phone number. Without it the path is not found.
   */
  readonly contactability?: (phones: readonly string[]) => Promise<(ContactabilityAnswer | null)[]>;
}

export interface ContactabilityAnswer {
  readonly phone: string;
  readonly sms: boolean;
  readonly calls: boolean;
  readonly reason: string | null;
}

/** Most numbers one bulk question may hold. */
export const MAX_CONTACTABILITY_BATCH = 1000;

/** An HTTP answer, and what to log about it. */
interface Answer {
  readonly status: number;
  readonly contentType: string | null;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly log?: { readonly level: 'info' | 'warn' | 'error'; readonly msg: string; readonly fields: object };
}

const TEXT = 'text/plain; charset=utf-8';
const HEALTH_PATHS = new Set(['/', '/webhook/', '/healthz']);
const CONTACTABILITY = '/v1/contactability';
const text = (status: number, body: string, headers?: Record<string, string>): Answer => ({
  status,
  contentType: TEXT,
  body: `${body}\n`,
  ...(headers === undefined ? {} : { headers }),
});
const notAllowed = (allow: string): Answer => text(405, 'method not allowed', { Allow: allow });

/** Builds the server without listening: `listen()` belongs to the caller (app or test). */
export function createHttpServer(options: HttpServerOptions): Server {
  const routes = new Map(
    // Each route with its provider's child logger, made once: pino serializes a child's bindings when it is created.
    options.routes.map((route) => [route.path, { ...route, log: options.logger.child({ provider: route.provider }) }]),
  );
  const context: Context = { ...options, routes, publicUrl: options.publicUrl.replace(/\/+$/, '') };
  const server = createServer(
    {
      headersTimeout: options.headersTimeoutMs,
      requestTimeout: options.requestTimeoutMs,
      // How often those two timeouts are enforced (Node's default, 30 s, lets slow clients linger).
      connectionsCheckingInterval: Math.min(1000, options.headersTimeoutMs),
    },
    (req, res) => {
      const started = performance.now();
      const target = req.url as string; // always set on a server's request
      const queryAt = target.indexOf('?');
      const path = queryAt === -1 ? target : target.slice(0, queryAt);
      res.once('finish', () =>
        options.observer?.request(routeLabel(context, path), res.statusCode, (performance.now() - started) / 1000),
      );
      dispatch(context, req, path, target).then(
        (answer) => send(res, answer, !server.listening),
        (error: unknown) => {
          // Only a bug gets here; the process keeps serving.
          options.logger.error({ err: error }, 'request handler failed');
          send(res, text(500, 'internal error'), !server.listening);
        },
      );
    },
  );
  return server;
}

type Route = WebhookRoute & { readonly log: Logger };
type Context = Omit<HttpServerOptions, 'routes'> & { readonly routes: ReadonlyMap<string, Route> };

function routeLabel({ routes, observer }: Context, path: string): string {
  const known =
    routes.has(path) || HEALTH_PATHS.has(path) || path === '/readyz' || path === '/metrics' || path === CONTACTABILITY;
  return known && (path !== '/metrics' || observer !== undefined) ? path : 'other';
}

/** Routing: a provider's webhook, health and readiness, metrics, or nothing. */
async function dispatch(context: Context, req: IncomingMessage, path: string, target: string): Promise<Answer> {
  const method = req.method as string;
  const route = context.routes.get(path);
  if (route !== undefined) {
    if (!(route.methods as readonly string[]).includes(method)) return notAllowed(route.methods.join(', '));
    return webhook(context, route, req, target);
  }
  if (HEALTH_PATHS.has(path) || path === '/readyz') {
    if (method !== 'GET' && method !== 'HEAD') return notAllowed('GET, HEAD');
    return path === '/readyz' ? readiness(context) : text(200, 'ok');
  }
  if (path === '/metrics' && context.observer !== undefined) {
    if (method !== 'GET') return notAllowed('GET');
    const { contentType, body } = await context.observer.exposition();
    return { status: 200, contentType, body };
  }
  if (path === CONTACTABILITY && context.contactability !== undefined) {
    if (method !== 'GET' && method !== 'POST') return notAllowed('GET, POST');
    return contactability(context, context.contactability, req, target).catch((error: unknown) =>
      error instanceof RequestError ? rejected(error) : failed(context, error),
    );
  }
  return text(404, 'not found');
}

/**
 * `GET /v1/contactability?phone=+33612345678` answers one object; `POST` with a JSON array of
 * numbers (or `{"phones": [...]}`) answers an array in the same order. A number that does not
 * parse is answered `{"phone": <as sent>, "error": "not a phone number"}`, never a 500.
 */
async function contactability(
  context: Context,
  check: NonNullable<HttpServerOptions['contactability']>,
  req: IncomingMessage,
  target: string,
): Promise<Answer> {
  const json = (status: number, value: unknown): Answer => ({
    status,
    contentType: 'application/json; charset=utf-8',
    body: `${JSON.stringify(value)}\n`,
  });
  let phones: string[];
  if (req.method === 'GET') {
    const phone = new URLSearchParams(target.slice(target.indexOf('?') + 1)).get('phone');
    if (target.indexOf('?') === -1 || phone === null) throw new RequestError(400, 'phone is required');
    phones = [phone];
  } else {
    phones = bulkPhones(await readBody(req, context.bodyLimit));
  }
  const answers = (await check(phones)).map(
    (answer, i) => answer ?? { phone: phones[i] as string, error: 'not a phone number' },
  );
  return json(200, req.method === 'GET' ? answers[0] : answers);
}

/** The numbers of a bulk question: a JSON array of strings, or an object with one in `phones`. */
function bulkPhones(body: Buffer): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new RequestError(400, 'body must be JSON: an array of phone numbers, or {"phones": [...]}');
  }
  const list = Array.isArray(parsed) ? parsed : (parsed as { phones?: unknown } | null)?.phones;
  if (!Array.isArray(list) || !list.every((item): item is string => typeof item === 'string'))
    throw new RequestError(400, 'body must be JSON: an array of phone numbers, or {"phones": [...]}');
  if (list.length > MAX_CONTACTABILITY_BATCH)
    throw new RequestError(413, `at most ${MAX_CONTACTABILITY_BATCH} numbers a question`);
  return list;
}

async function readiness({ ready, observer, logger }: Context): Promise<Answer> {
  try {
    await ready();
    return text(200, 'ready');
  } catch (error) {
    observer?.databaseError();
    logger.warn({ err: error }, 'readiness check failed');
    return text(503, 'database unavailable');
  }
}

/** A provider's webhook: the request read into a SignedRequest, its use case run, its outcome answered. */
async function webhook(context: Context, route: Route, req: IncomingMessage, target: string): Promise<Answer> {
  const started = performance.now();
  let answer: Answer;
  try {
    const queryAt = target.indexOf('?');
    const fields =
      req.method === 'GET'
        ? parseForm(queryAt === -1 ? '' : target.slice(queryAt + 1))
        : parseForm(await readForm(req, context.bodyLimit));
    const request = { url: context.publicUrl + target, method: req.method as string, headers: req.headers, fields };
    const outcome = await withDeadline(route.receive(request), context.handlerTimeoutMs);
    answer = outcomeAnswer(context, route, outcome, target);
  } catch (error) {
    answer = error instanceof RequestError ? rejected(error) : failed(context, error);
  }
  const { log } = answer;
  if (log !== undefined) {
    const ms = Math.round((performance.now() - started) * 10) / 10;
    route.log[log.level]({ status: answer.status, ...log.fields, ms }, log.msg);
  }
  return answer;
}

/** What the use case's outcome means in HTTP, with its log line. */
function outcomeAnswer(
  context: Context,
  route: Route,
  outcome: ReceiveOutcome | ReceiptOutcome,
  target: string,
): Answer {
  const acknowledge = (reply: string | null, msg: string, fields: object): Answer => ({
    ...route.answer(reply),
    log: { level: 'info', msg, fields },
  });
  switch (outcome.kind) {
    case 'forbidden': {
      context.observer?.signatureFailure(route.provider);
      // What Twilio error 11200 needs: the URL the signature was checked against (its query,
      // which for a GET webhook holds the message, is only said to be there), never the signature.
      const checked = { checkedUrl: context.publicUrl + target.split('?')[0], withQuery: target.includes('?') };
      return {
        ...text(403, 'invalid signature'),
        log: { level: 'warn', msg: 'webhook signature rejected: signed for another URL or token', fields: checked },
      };
    }
    case 'invalid':
      return {
        ...text(400, outcome.reason),
        log: { level: 'info', msg: 'webhook invalid', fields: { reason: outcome.reason } },
      };
    case 'held': {
      const { part, total, received } = outcome;
      return acknowledge(null, 'webhook part stored, waiting for the others', { part, total, received });
    }
    case 'duplicate':
      return acknowledge(outcome.reply, 'webhook duplicate ignored', { id: outcome.id });
    case 'stored': {
      const { message, id, intent, action, consent } = outcome;
      context.observer?.stored(route.provider, intent, action);
      if (consent !== null) {
        context.observer?.consent(consent.event, consent.source);
        const clock = (Date.now() - message.received_at.getTime()) / 1000;
        if (consent.event === 'opt_out') context.observer?.optOutStored(clock);
      }
      if (outcome.interpreterError !== null) {
        route.log.error({ err: outcome.interpreterError, id }, 'interpreter failed; message stored as UNKNOWN');
      }
      const from = maskPhone(message.sender);
      const fields = { id, message_id: message.message_id, from, campaign: message.campaign_id, intent, action };
      return acknowledge(outcome.reply, 'webhook stored', fields);
    }
    case 'recorded': {
      const { receipt, status, consent } = outcome;
      context.observer?.delivery(route.provider, receipt.status, receipt.error_code);
      if (consent !== null) context.observer?.consent(consent.event, consent.source);
      const fields = {
        message_id: receipt.message_id,
        to: maskPhone(receipt.recipient),
        reported: receipt.status,
        status,
        error_code: receipt.error_code,
        ...(consent === null ? {} : { consent: `${consent.event} (${consent.source})` }),
      };
      return acknowledge(null, 'delivery receipt recorded', fields);
    }
    case 'repeated':
      return acknowledge(null, 'delivery receipt repeated', {});
  }
}

/** The caller's mistake, found while reading the request. */
function rejected(error: RequestError): Answer {
  return {
    ...text(error.status, error.message, error.status === 413 ? { Connection: 'close' } : undefined),
    log: { level: 'info', msg: 'webhook rejected', fields: { reason: error.message } },
  };
}

const FAILURES = {
  storage: { status: 503, msg: 'webhook not stored: storage unavailable' },
  deadline: { status: 503, msg: 'webhook not stored: deadline exceeded' },
  outbox: { status: 503, msg: 'webhook stored, reply not queued: the provider’s retry queues it' },
  bug: { status: 500, msg: 'webhook failed: bug' },
} as const;

/**
 * A webhook that failed for a reason of ours, by the cause its layer gave it (core/errors.ts):
 * each has its own log line, status and metric label. Nothing was acknowledged, so the provider's
 * retry loses nothing.
 */
function failed({ observer }: Context, error: unknown): Answer {
  const cause = failureCause(error);
  observer?.webhookError(cause);
  if (cause === 'storage') observer?.databaseError();
  const { status, msg } = FAILURES[cause];
  const log = { level: 'error', msg, fields: { err: error } } as const;
  if (status === 500) return { ...text(500, 'internal error'), log };
  return { ...text(503, 'temporarily unavailable', { 'Retry-After': '5' }), log };
}

function send(res: ServerResponse, answer: Answer, closing: boolean): void {
  if (res.headersSent || res.destroyed) return;
  const headers: Record<string, string | number> = {
    ...answer.headers,
    'Content-Length': Buffer.byteLength(answer.body),
  };
  // While stopping, no connection is kept alive: the server closes as soon as in-flight requests end.
  if (closing) headers['Connection'] = 'close';
  if (answer.contentType !== null) headers['Content-Type'] = answer.contentType;
  res.writeHead(answer.status, headers);
  res.end(answer.body);
}

/** Reads a form body up to `limit` bytes, refusing other content types and larger bodies early. */
async function readForm(req: IncomingMessage, limit: number): Promise<Buffer> {
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  const [mediaType, ...parameters] = type.split(';').map((part) => part.trim());
  if (mediaType !== 'application/x-www-form-urlencoded') {
    throw new RequestError(415, 'content type must be application/x-www-form-urlencoded');
  }
  const charset = parameters
    .find((p) => p.startsWith('charset='))
    ?.slice('charset='.length)
    .replaceAll('"', '');
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw new RequestError(415, 'form data must be utf-8');
  }
  if (Number(req.headers['content-length'] ?? 0) > limit) throw new RequestError(413, 'body too large');
  return readBody(req, limit);
}

/**
 * The body, by plain listeners (an async iterator costs promises per chunk). Past `limit` it stops
 * reading and the caller answers 413 with `Connection: close`; a client that goes away mid-body
 * (`error` or `close` before `end`) gets a 400 nobody reads.
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (error: RequestError | null): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onIncomplete);
      req.off('close', onIncomplete);
      if (error === null) resolve(Buffer.concat(chunks, size));
      else reject(error);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) settle(new RequestError(413, 'body too large'));
      else chunks.push(chunk);
    };
    const onEnd = (): void => settle(null);
    const onIncomplete = (): void => settle(new RequestError(400, 'request body incomplete'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onIncomplete);
    req.on('close', onIncomplete);
  });
}

function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
