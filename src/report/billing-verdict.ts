import type { BillingStatus, Cause } from '../state/billing-record.js';

/** A cause as a record or an output holds it (the output says null for no model). */
type CauseLike = Pick<Cause, 'explanation'> & { model?: string | null | undefined };

/** One cause in words, its model first when it has one. */
export function causeText(cause: CauseLike): string {
  return cause.model ? `${cause.model}: ${cause.explanation}` : cause.explanation;
}

/**
 * A reconcile verdict in one line: what the status means and, when billed and recorded
 * differ, the likely causes.
 */
export function billingVerdict(status: BillingStatus | 'skipped', causes: CauseLike[], sharedWith: string[] = []): string {
  const why = causes.map(causeText).join('; ');
  switch (status) {
    case 'verified':
      return `billed equals recorded for every model and count${why ? ` (${why})` : ''}`;
    case 'not-billed':
      return 'Claude Code said these calls were not billed to an API key (a subscription login): there is no bill to check, and their costs are API-equivalent, not charged';
    case 'shared-window':
      return `shares minutes with ${sharedWith.join(', ')}: verified only together`;
    case 'pending':
      return why || "billed is still below recorded: the provider's data may not have arrived yet";
    case 'mismatch':
      return why || 'billed differs from recorded';
    case 'skipped':
      return 'nothing was reconciled';
  }
}
