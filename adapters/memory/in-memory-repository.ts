import { CANCELLING_EVENTS, leadAfterReview, leadChangeOf, PERMISSION_ACTIONS } from '../../core/action.js';
import { releaseHold, reviewConsent } from '../../core/action.js';
import { permissionsOf } from '../../core/consent.js';
import { DELIVERY_RANK } from '../../core/delivery.js';
import type { DeliveryReceipt } from '../../core/delivery.js';
import type { ConsentChange } from '../../core/action.js';
import type { ConsentEvent, ConsentEvidence } from '../../core/consent.js';
import { StorageError } from '../../core/errors.js';
import type { LeadChange, LeadStatus, NewTask } from '../../core/action.js';
import type { Intent } from '../../core/intent.js';
import type {
  CampaignReport,
  Delivery,
  DeliveryOutcome,
  DeliveryRequest,
  Lead,
  RecordOutcome,
  RecordRequest,
  Repository,
  ResolveOutcome,
  Review,
  ReviewExample,
  ReviewResolution,
  StoredMessage,
  Task,
} from '../../core/ports/repository.js';

/** A stateful double of the repository with the same semantics as the SQL one (see the contract suite). */
export class InMemoryRepository implements Repository {
  private readonly messages = new Map<string, StoredMessage>();
  private readonly leads = new Map<string, Lead>();
  private readonly tasks: Task[] = [];
  private readonly purged = new Set<string>();
  private readonly examples: ReviewExample[] = [];
  private readonly ledger: ConsentEvent[] = [];
  private readonly deliveryEvents: DeliveryReceipt[] = [];
  private readonly deliveries = new Map<string, Delivery>();
  private nextId = 1;
  /** Set to make every call fail as a database outage would. */
  failure: Error | null = null;

  async record(request: RecordRequest): Promise<RecordOutcome> {
    this.check();
    const { message, action } = request;
    const key = `${message.provider}\u0000${message.message_id}`;
    const existing = this.messages.get(key);
    if (existing !== undefined) return { kind: 'duplicate', id: existing.id, reply: existing.reply };
    const campaignId = this.leads.get(message.sender)?.campaign_id ?? null;
    const id = String(this.nextId++);
    this.messages.set(key, {
      ...structuredClone(message),
      id,
      campaign_id: campaignId,
      intent: request.intent,
      confidence: request.confidence,
      action: action.name,
      reply: action.reply,
      processed_at: request.processedAt,
    });
    if (action.lead !== null) this.applyLeadChange(message.sender, action.lead, request.processedAt);
    if (action.consent !== null) {
      const { intent, confidence, processedAt, interpreterVersion } = request;
      const version = interpreterVersion === undefined ? {} : { interpreter_version: interpreterVersion };
      const words = message.content;
      const evidence = { inbound_message_id: id, words, intent, confidence, signature_verified: true, ...version };
      this.append(message.sender, action.consent, evidence, processedAt);
    }
    if (action.task !== null) this.addTask(action.task, message.sender, campaignId, id, request.processedAt);
    return { kind: 'stored', id, campaign_id: campaignId };
  }

  async saveLead(phone: string, campaignId: string | null, at: Date): Promise<void> {
    this.check();
    const lead = this.leads.get(phone);
    this.leads.set(
      phone,
      lead
        ? { ...lead, campaign_id: campaignId, updated_at: at }
        : {
            phone,
            campaign_id: campaignId,
            status: 'active',
            opted_out_at: null,
            opt_out_scope: null,
            created_at: at,
            updated_at: at,
          },
    );
  }

  async findMessage(provider: string, messageId: string): Promise<StoredMessage | undefined> {
    this.check();
    return this.messages.get(`${provider}\u0000${messageId}`);
  }

  async findLead(phone: string): Promise<Lead | undefined> {
    this.check();
    return this.leads.get(phone);
  }

  async listLeads(status?: LeadStatus): Promise<Lead[]> {
    this.check();
    // Newest first on ties too, as the SQL adapter orders by id.
    return [...this.leads.values()]
      .reverse()
      .filter((lead) => status === undefined || lead.status === status)
      .sort((a, b) => b.updated_at.getTime() - a.updated_at.getTime());
  }

  async listOpenTasks(): Promise<Task[]> {
    this.check();
    return this.tasks.filter((task) => task.status === 'open');
  }

  async listReviews(): Promise<Review[]> {
    this.check();
    return this.tasks
      .filter((task) => task.kind === 'review' && task.status === 'open')
      .map((task) => this.review(task));
  }

  async findReview(taskId: string): Promise<Review | undefined> {
    this.check();
    const task = this.tasks.find((t) => t.id === taskId && t.kind === 'review');
    return task && this.review(task);
  }

  private review(task: Task): Review {
    const message = this.messageById(task.inbound_message_id);
    return { ...task, text: message.content, received_at: message.received_at };
  }

  async resolveReview({ taskId, intent, action, reviewer, at }: ReviewResolution): Promise<ResolveOutcome> {
    this.check();
    const index = this.tasks.findIndex((task) => task.id === taskId && task.kind === 'review');
    const task = this.tasks[index];
    if (task === undefined) return { kind: 'not_found' };
    if (task.status !== 'open') return { kind: 'already_resolved' };
    const resolution = { intent, reviewer, at: at.toISOString() };
    this.tasks[index] = { ...task, status: 'done', details: { ...task.details, resolution } };
    const lead = this.leads.get(task.phone) as Lead;
    const stillHeld = this.tasks.some((t) => t.phone === task.phone && t.kind === 'review' && t.status === 'open');
    for (const { change, evidence } of reviewConsent(task.inbound_message_id, intent, action, reviewer))
      this.append(task.phone, change, evidence, at);
    const released = releaseHold(lead, action.lead, task.created_at, stillHeld, at);
    const next = leadAfterReview(released, permissionsOf(await this.consentHistory(task.phone)), at);
    this.leads.set(task.phone, { ...lead, ...next, updated_at: at });
    if (action.task !== null) this.addTask(action.task, task.phone, task.campaign_id, task.inbound_message_id, at);
    const readAs = task.details['read_as'] as Intent; // every review task says what was read (planAction)
    this.examples.push({
      text: this.messageById(task.inbound_message_id).content,
      read_as: readAs,
      intent,
      resolved_at: at,
    });
    return { kind: 'resolved', phone: task.phone, lead_status: next.status };
  }

  async listReviewExamples(): Promise<ReviewExample[]> {
    this.check();
    return [...this.examples];
  }

  private addTask(task: NewTask, phone: string, campaignId: string | null, messageId: string, at: Date): void {
    this.tasks.push({
      id: String(this.nextId++),
      kind: task.kind,
      phone,
      contact: task.contact,
      campaign_id: campaignId,
      inbound_message_id: messageId,
      due_text: task.due_text,
      details: structuredClone(task.details),
      status: 'open',
      cancel_reason: null,
      created_at: at,
    });
  }

  private messageById(id: string): StoredMessage {
    return [...this.messages.values()].find((message) => message.id === id) as StoredMessage;
  }

  async purgeMessageData(before: Date): Promise<number> {
    this.check();
    let count = 0;
    for (const [key, message] of this.messages) {
      if (message.received_at < before && !this.purged.has(key)) {
        this.purged.add(key);
        const sender = (PERMISSION_ACTIONS as readonly string[]).includes(message.action) ? message.sender : '';
        this.messages.set(key, { ...message, raw_data: {}, content: '', extracted_data: {}, sender });
        count += 1;
      }
    }
    this.tasks.forEach((task, i) => {
      if (task.created_at < before) this.tasks[i] = { ...task, contact: '', details: {}, due_text: null };
    });
    this.examples.splice(0, this.examples.length, ...this.examples.filter((example) => example.resolved_at >= before));
    return count;
  }

  async recordConsent(events: readonly ConsentEvent[]): Promise<void> {
    this.check();
    for (const { phone, event, scope, source, evidence, occurred_at } of events) {
      const change = leadChangeOf(event, scope);
      if (change !== null) this.applyLeadChange(phone, change, occurred_at);
      this.append(phone, { event, scope, source }, evidence, occurred_at);
    }
  }

  async recordDelivery({ receipt, consent, temporary }: DeliveryRequest): Promise<DeliveryOutcome> {
    this.check();
    const { provider, message_id, status, recipient } = receipt;
    const same = (one: DeliveryReceipt) =>
      one.provider === provider && one.message_id === message_id && one.status === status;
    if (this.deliveryEvents.some(same)) return { kind: 'repeated' };
    this.deliveryEvents.push(structuredClone(receipt));
    const key = `${provider}\u0000${message_id}`;
    const known = this.deliveries.get(key);
    const lead = this.leads.get(recipient);
    if (known === undefined || DELIVERY_RANK[known.status] < DELIVERY_RANK[status]) {
      const { error_code, received_at: updated_at } = receipt;
      const campaign_id = known?.campaign_id ?? lead?.campaign_id ?? null;
      this.deliveries.set(key, { provider, message_id, recipient, status, error_code, campaign_id, updated_at });
    }
    const current = (this.deliveries.get(key) as Delivery).status;
    const receives = lead?.opt_out_scope !== 'sms' && lead?.opt_out_scope !== 'all';
    if (consent === null || !receives || !this.reached(recipient, receipt.received_at, temporary))
      return { kind: 'recorded', status: current, consent: null };
    await this.recordConsent([consent]);
    return { kind: 'recorded', status: current, consent };
  }

  private reached(phone: string, now: Date, temporary: DeliveryRequest['temporary']): boolean {
    if (temporary === null) return true;
    const since = now.getTime() - temporary.days * 86_400_000;
    const failures = this.deliveryEvents.filter(
      (one) => one.recipient === phone && one.error_class === 'temporary' && one.received_at.getTime() > since,
    );
    return failures.length >= temporary.failures;
  }

  async findDelivery(provider: string, messageId: string): Promise<Delivery | undefined> {
    this.check();
    return this.deliveries.get(`${provider}\u0000${messageId}`);
  }

  async campaignReport(campaignId: string, since: Date): Promise<CampaignReport> {
    this.check();
    const count = (keys: string[]) => {
      const counts: Record<string, number> = {};
      for (const key of keys.sort()) counts[key] = (counts[key] ?? 0) + 1;
      return counts;
    };
    const deliveries = [...this.deliveries.values()].filter(
      (one) => one.campaign_id === campaignId && one.updated_at >= since,
    );
    const failed = deliveries.filter((one) => one.status === 'failed' || one.status === 'undelivered');
    const replies = [...this.messages.values()].filter(
      (one) => one.campaign_id === campaignId && one.received_at >= since,
    );
    return {
      campaign_id: campaignId,
      deliveries: count(deliveries.map((one) => one.status)),
      errors: count(failed.map((one) => one.error_code ?? 'none')),
      intents: count(replies.map((one) => one.intent)),
      open_tasks: this.tasks.filter((task) => task.campaign_id === campaignId && task.status === 'open').length,
    };
  }

  async listConsent(): Promise<ConsentEvent[]> {
    this.check();
    return structuredClone(this.ledger);
  }

  async consentHistory(phone: string): Promise<ConsentEvent[]> {
    this.check();
    return this.ledger.filter((event) => event.phone === phone).map((event) => structuredClone(event));
  }

  /** A ledger event; an opt-out, a suppression or an import cancels the number's open tasks. */
  private append(phone: string, change: ConsentChange, evidence: ConsentEvidence, at: Date): void {
    this.ledger.push({ phone, ...change, evidence: structuredClone(evidence), occurred_at: at });
    if (!CANCELLING_EVENTS.includes(change.event)) return;
    const reason = `${change.event} (${change.source})`;
    this.tasks.forEach((task, i) => {
      if (task.phone === phone && task.status === 'open')
        this.tasks[i] = { ...task, status: 'cancelled', cancel_reason: reason };
    });
  }

  async ping(): Promise<void> {
    this.check();
  }

  private applyLeadChange(phone: string, change: LeadChange, at: Date): void {
    const lead = this.leads.get(phone);
    if (lead === undefined) {
      this.leads.set(phone, {
        phone,
        campaign_id: null,
        status: change.status,
        opted_out_at: change.suppression === 'suppress' ? at : null,
        opt_out_scope: change.scope,
        created_at: at,
        updated_at: at,
      });
      return;
    }
    const next: { -readonly [K in keyof Lead]: Lead[K] } = { ...lead, updated_at: at };
    if (change.suppression === 'keep') {
      if (lead.opted_out_at === null) next.status = change.status;
    } else if (change.suppression === 'lift') {
      Object.assign(next, { status: change.status, opted_out_at: null, opt_out_scope: null });
    } else {
      next.status = change.status;
      next.opted_out_at = lead.opted_out_at ?? at;
      next.opt_out_scope = lead.opt_out_scope === null || lead.opt_out_scope === change.scope ? change.scope : 'all';
    }
    this.leads.set(phone, next);
  }

  private check(): void {
    // As the SQL adapters do, a storage failure is classified as one where it happens.
    if (this.failure !== null) throw new StorageError('the in-memory repository is failing', { cause: this.failure });
  }
}
