import type { PaymentTx } from './db';
import type { LedgerSummary } from './schemas';

const FIELD = {
  AUTHORIZE: 'authorizedMinor',
  CAPTURE: 'capturedMinor',
  VOID: 'voidedMinor',
  REFUND: 'refundedMinor',
} as const;

/** Totals of the ledger per currency (for invariants: refunds never exceed captures). */
export async function ledgerSummary(db: PaymentTx): Promise<LedgerSummary> {
  const rows = await db.ledgerEntry.findMany({ orderBy: { id: 'asc' } });
  const totals = new Map<string, LedgerSummary['currencies'][number]>();
  for (const row of rows) {
    const total = totals.get(row.currency) ?? {
      currency: row.currency,
      authorizedMinor: 0,
      capturedMinor: 0,
      voidedMinor: 0,
      refundedMinor: 0,
      netMinor: 0,
    };
    total[FIELD[row.kind as keyof typeof FIELD]] += row.amountMinor;
    total.netMinor = total.capturedMinor - total.refundedMinor;
    totals.set(row.currency, total);
  }
  return { currencies: [...totals.values()].sort((a, b) => a.currency.localeCompare(b.currency)) };
}
