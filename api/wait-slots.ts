// Long waits (`Prefer: wait` on POST /orders, the events stream and its long-poll) each hold a Temporal history
// long-poll for up to minutes and cost one rate-limit token: without a cap, one tenant could hold thousands of them
// and spend the namespace's request quota for everyone. Each API process caps them in all and per tenant.

export class WaitSlots {
  private total = 0;
  private readonly byTenant = new Map<string, number>();

  constructor(
    private readonly perProcess: number,
    private readonly perTenant: number,
  ) {}

  /** A slot for `tenant` (its release), or undefined when the tenant or the process is at its cap. */
  acquire(tenant: string): (() => void) | undefined {
    const held = this.byTenant.get(tenant) ?? 0;
    if (this.total >= this.perProcess || held >= this.perTenant) return undefined;
    this.total += 1;
    this.byTenant.set(tenant, held + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total -= 1;
      const left = (this.byTenant.get(tenant) ?? 1) - 1;
      if (left > 0) this.byTenant.set(tenant, left);
      else this.byTenant.delete(tenant);
    };
  }
}
