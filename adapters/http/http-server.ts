import { DeadlineError, StorageError } from '../../core/errors.js';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { ResponseListener } from '../../core/ports/response-listener.js';
import type { SignedRequest } from '../../core/ports/signature-verifier.js';
import type { ReceiveOutcome } from '../../core/receive-inbound-message.js';
import { parseForm, RequestError } from './form.js';
import { maskPhone } from './privacy.js';

/** One part of a longer message, stored (so acknowledged) until the other parts arrive. */
export interface HeldOutcome {
  readonly kind: 'held';
  readonly part: number;
  readonly total: number;
  /** Parts of that message stored so far. */
  readonly received: number;
}

export type RouteOutcome = ReceiveOutcome | HeldOutcome;

/** What handles a route's verified-or-not webhook call: the use case, possibly wrapped. */
export interface WebhookReceiver {
  execute(request: SignedRequest): Promise<RouteOutcome>;
}

/** One provider's webhook: where it is called and the pipeline behind it. */
export interface WebhookRoute {
  readonly path: string;
  /** `POST` (form body), and `GET` (query fields) for providers that can be set to use it. */
  readonly methods: readonly ('POST' | 'GET')[];
  readonly receive: WebhookReceiver;
  readonly listener: Pick<ResponseListener, 'answer' | 'provider'>;
}

/** What the server reports as it works, for metrics; every method is optional to implement. */
export interface HttpObserver {
  /** One answered request: `route` is a known path or "other" (never the raw URL). */
  request(route: string, status: number, seconds: number): void;
  signatureFailure(provider: string): void;
  /** A message stored for the first time, with what it was read as and what it triggered. */
  stored(provider: string, intent: string, action: string): void;
  /** The database failed or was too slow: the webhook answered 503 or readiness failed. */
  databaseError(): void;
  /** A webhook failed for a reason of ours: the storage, the deadline, or a bug. */
  webhookError(cause: 'storage' | 'deadline' | 'bug'): void;
  /** The exposition served at `GET /metrics`. */
  exposition(): Promise<{ contentType: string; body: string }>;
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
  readonly observer?: HttpObserver;
}

const HEALTH_PATHS = new Set(['/', '/webhook/', '/healthz']);

/** Builds the server without listening: `listen()` belongs to the caller (app or test). */
export function createHttpServer(options: HttpServerOptions): Server {
  // Each route with its provider's child logger, made once: pino serializes a child's bindings when it is created.
  const routes = new Map(
    options.routes.map((route) => [
      route.path,
      { ...route, log: options.logger.child({ provider: route.listener.provider }) },
    ]),
  );
  const publicUrl = options.publicUrl.replace(/\/+$/, '');
  const observer = options.observer;
  const routeLabel = (target: string): string => {
    const queryAt = target.indexOf('?');
    const path = queryAt === -1 ? target : target.slice(0, queryAt);
    return routes.has(path) || HEALTH_PATHS.has(path) || path === '/readyz' || path === '/metrics' ? path : 'other';
  };
  const server = createServer(
    {
      headersTimeout: options.headersTimeoutMs,
      requestTimeout: options.requestTimeoutMs,
      // How often those two timeouts are enforced (Node's default, 30 s, lets slow clients linger).
      connectionsCheckingInterval: Math.min(1000, options.headersTimeoutMs),
    },
    (req, res) => {
      const started = performance.now();
      res.once('finish', () =>
        observer?.request(routeLabel(req.url as string), res.statusCode, (performance.now() - started) / 1000),
      );
      handle(req, res).catch((error: unknown) => {
        // Only a bug gets here; the process keeps serving.
        options.logger.error({ err: error }, 'request handler failed');
        send(res, 500, 'text/plain; charset=utf-8', 'internal error\n');
      });
    },
  );

  function send(res: ServerResponse, status: number, contentType: string | null, body: string): void {
    write(res, status, contentType, body, !server.listening);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = req.url as string; // always set on a server's request
    const queryAt = target.indexOf('?');
    const path = queryAt === -1 ? target : target.slice(0, queryAt);
    const method = req.method as string;
    const route = routes.get(path);
    if (route !== undefined) {
      if (!(route.methods as readonly string[]).includes(method)) {
        res.setHeader('Allow', route.methods.join(', '));
        return send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
      }
      return webhook(route, req, res, target, queryAt === -1 ? '' : target.slice(queryAt + 1));
    }
    if (HEALTH_PATHS.has(path) || path === '/readyz') {
      if (method !== 'GET' && method !== 'HEAD') {
        res.setHeader('Allow', 'GET, HEAD');
        return send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
      }
      if (path !== '/readyz') return send(res, 200, 'text/plain; charset=utf-8', 'ok\n');
      try {
        await options.ready();
        return send(res, 200, 'text/plain; charset=utf-8', 'ready\n');
      } catch (error) {
        observer?.databaseError();
        options.logger.warn({ err: error }, 'readiness check failed');
        return send(res, 503, 'text/plain; charset=utf-8', 'database unavailable\n');
      }
    }
    if (path === '/metrics' && observer !== undefined) {
      if (method !== 'GET') {
        res.setHeader('Allow', 'GET');
        return send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
      }
      const { contentType, body } = await observer.exposition();
      return send(res, 200, contentType, body);
    }
    return send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
  }

  async function webhook(
    route: WebhookRoute & { readonly log: Logger },
    req: IncomingMessage,
    res: ServerResponse,
    target: string,
    query: string,
  ): Promise<void> {
    const started = performance.now();
    const { log } = route;
    let outcome: RouteOutcome;
    try {
      const fields = req.method === 'GET' ? parseForm(query) : parseForm(await readForm(req, options.bodyLimit));
      outcome = await withDeadline(
        route.receive.execute({
          url: publicUrl + target,
          method: req.method as string,
          headers: req.headers,
          fields,
        }),
        options.handlerTimeoutMs,
      );
    } catch (error) {
      if (error instanceof RequestError) {
        log.info({ status: error.status, reason: error.message }, 'webhook rejected');
        if (error.status === 413) res.setHeader('Connection', 'close');
        return send(res, error.status, 'text/plain; charset=utf-8', `${error.message}\n`);
      }
      return failed(res, log, error);
    }
    const ms = Math.round((performance.now() - started) * 10) / 10;
    const acknowledge = (reply: string | null): void => {
      const answer = route.listener.answer(reply);
      send(res, answer.status, answer.contentType, answer.body);
    };
    switch (outcome.kind) {
      case 'forbidden':
        observer?.signatureFailure(route.listener.provider);
        // What Twilio error 11200 needs: the URL the signature was checked against (its query,
        // which for a GET webhook holds the message, is only said to be there), never the signature.
        log.warn(
          { status: 403, ms, checkedUrl: publicUrl + target.split('?')[0], withQuery: target.includes('?') },
          'webhook signature rejected: signed for another URL or token',
        );
        return send(res, 403, 'text/plain; charset=utf-8', 'invalid signature\n');
      case 'invalid':
        log.info({ status: 400, reason: outcome.reason, ms }, 'webhook invalid');
        return send(res, 400, 'text/plain; charset=utf-8', `${outcome.reason}\n`);
      case 'held': {
        const { part, total, received } = outcome;
        log.info({ status: 200, part, total, received, ms }, 'webhook part stored, waiting for the others');
        return acknowledge(null);
      }
      case 'duplicate': {
        log.info({ status: 200, id: outcome.id, ms }, 'webhook duplicate ignored');
        return acknowledge(outcome.reply);
      }
      case 'stored': {
        const { message } = outcome;
        observer?.stored(route.listener.provider, outcome.intent, outcome.action);
        if (outcome.interpreterError !== null) {
          log.error({ err: outcome.interpreterError, id: outcome.id }, 'interpreter failed; message stored as UNKNOWN');
        }
        log.info(
          {
            status: 200,
            id: outcome.id,
            messageId: message.message_id,
            from: maskPhone(message.sender),
            campaign: message.campaign_id,
            intent: outcome.intent,
            action: outcome.action,
            ms,
          },
          'webhook stored',
        );
        return acknowledge(outcome.reply);
      }
    }
  }

  /**
   * A webhook that failed for a reason of ours, by the cause its layer gave it: the storage (503,
   * the provider retries), the deadline (503), or a bug (500). Each has its own log line and metric
   * label; nothing was acknowledged, so the provider's retry loses nothing.
   */
  function failed(res: ServerResponse, log: Logger, error: unknown): void {
    if (error instanceof StorageError || error instanceof DeadlineError) {
      const storage = error instanceof StorageError;
      observer?.webhookError(storage ? 'storage' : 'deadline');
      if (storage) observer?.databaseError();
      log.error(
        { err: error },
        storage ? 'webhook not stored: storage unavailable' : 'webhook not stored: deadline exceeded',
      );
      res.setHeader('Retry-After', '5');
      return send(res, 503, 'text/plain; charset=utf-8', 'temporarily unavailable\n');
    }
    observer?.webhookError('bug');
    log.error({ err: error }, 'webhook failed: bug');
    return send(res, 500, 'text/plain; charset=utf-8', 'internal error\n');
  }

  return server;
}

function write(res: ServerResponse, status: number, contentType: string | null, body: string, closing: boolean): void {
  if (res.headersSent || res.destroyed) return;
  const headers: Record<string, string | number> = { 'Content-Length': Buffer.byteLength(body) };
  // While stopping, no connection is kept alive: the server closes as soon as in-flight requests end.
  if (closing) headers['Connection'] = 'close';
  if (contentType !== null) headers['Content-Type'] = contentType;
  res.writeHead(status, headers);
  res.end(body);
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
