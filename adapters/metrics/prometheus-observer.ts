import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { FailureCause } from '../../core/errors.js';
import type { ServiceObserver } from '../../core/ports/service-observer.js';

/**
 * The service's metrics in Prometheus text format (prom-client), on a registry of its own so that
 * two services in one process (tests) do not share counters. Labels are bounded: routes are
 * known paths or "other", intents and actions are closed lists.
 */
export class PrometheusObserver implements ServiceObserver {
  private readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'berinia_http_requests_total',
    help: 'HTTP requests answered, by route and status',
    labelNames: ['route', 'status'] as const,
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: 'berinia_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by route',
    labelNames: ['route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15],
    registers: [this.registry],
  });
  private readonly signatures = new Counter({
    name: 'berinia_signature_failures_total',
    help: 'Webhook calls refused for a missing or invalid signature, by provider',
    labelNames: ['provider'] as const,
    registers: [this.registry],
  });
  private readonly messages = new Counter({
    name: 'berinia_messages_total',
    help: 'Messages stored (first delivery only), by provider and intent',
    labelNames: ['provider', 'intent'] as const,
    registers: [this.registry],
  });
  private readonly actions = new Counter({
    name: 'berinia_actions_total',
    help: 'Actions triggered by stored messages',
    labelNames: ['action'] as const,
    registers: [this.registry],
  });
  private readonly databaseErrors = new Counter({
    name: 'berinia_database_errors_total',
    help: 'Webhook calls answered 503 and readiness checks failed because the database did not answer',
    registers: [this.registry],
  });

  private readonly webhookErrors = new Counter({
    name: 'berinia_webhook_errors_total',
    help: 'Webhook calls that failed for a reason of ours, by cause: storage (503), deadline (503), outbox (503, the message is stored), bug (500)',
    labelNames: ['cause'] as const,
    registers: [this.registry],
  });

  private readonly consents = new Counter({
    name: 'berinia_consent_events_total',
    help: 'Changes of permission appended to the consent ledger, by event and source',
    labelNames: ['event', 'source'] as const,
    registers: [this.registry],
  });

  private readonly complianceClock = new Histogram({
    name: 'berinia_opt_out_seconds',
    help: 'The compliance clock: seconds from an opt-out reply arriving to its suppression being stored',
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
    registers: [this.registry],
  });

  private readonly deliveries = new Counter({
    name: 'berinia_deliveries_total',
    help: 'Delivery receipts stored, by provider, status and error code ("none" without one)',
    labelNames: ['provider', 'status', 'error_code'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  request(route: string, status: number, seconds: number): void {
    this.requests.inc({ route, status: String(status) });
    this.duration.observe({ route }, seconds);
  }

  signatureFailure(provider: string): void {
    this.signatures.inc({ provider });
  }

  stored(provider: string, intent: string, action: string): void {
    this.messages.inc({ provider, intent });
    this.actions.inc({ action });
  }

  consent(event: string, source: string): void {
    this.consents.inc({ event, source });
  }

  optOutStored(seconds: number): void {
    this.complianceClock.observe(seconds);
  }

  /** Error codes are a closed list per provider (their tables), so the label stays bounded. */
  delivery(provider: string, status: string, errorCode: string | null): void {
    this.deliveries.inc({ provider, status, error_code: errorCode ?? 'none' });
  }

  databaseError(): void {
    this.databaseErrors.inc();
  }

  webhookError(cause: FailureCause): void {
    this.webhookErrors.inc({ cause });
  }

  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
