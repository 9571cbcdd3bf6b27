import { planAction } from './action.js';
import type { Intent } from './intent.js';
import type { Repository, ResolveOutcome } from './ports/repository.js';

export interface ResolveRequest {
  readonly taskId: string;
  /** The intent the person read: OPT_OUT confirms an opt-out; any other releases the number. */
  readonly intent: Intent;
  readonly reviewer: string;
  readonly at: Date;
}

/**
 * A person resolves a held reply: what their reading triggers is planned as for a reply (a
 * call-back becomes a task, an opt-out stays suppressed), without any SMS, and the reply is kept
 * as a labelled example for the next training.
 */
export class ResolveReview {
  constructor(private readonly deps: { readonly repository: Repository; readonly brand: string }) {}

  async execute({ taskId, intent, reviewer, at }: ResolveRequest): Promise<ResolveOutcome> {
    const { repository, brand } = this.deps;
    const review = await repository.findReview(taskId);
    if (review === undefined) return { kind: 'not_found' };
    const {
      read_as: _readAs,
      confidence: _confidence,
      secondary_intents: _secondary,
      resolution: _resolution,
      ...extracted
    } = review.details;
    const action = planAction(
      { intent, confidence: 1, language: 'fr', extracted, secondary_intents: [], review: false },
      // Nothing is sent to the prospect from a review: the decision is ours, not a reply to answer.
      { sender: review.phone, brand, providerReplied: true },
    );
    return repository.resolveReview({ taskId, intent, action, reviewer, at });
  }
}
