// Places a few orders through the running stack's API (bash scripts/start) and follows them to the end:
// a success, an out-of-stock, a declined card and a cancelled large order, then a return of the success's units
// (requested, parcel taken in by an operator key, restocked and refunded). Prints where to see them.
import { config, demoListLink, follow, followReturn, scenarios } from './demo-orders';
import type { DemoOutcome } from './demo-orders';

async function main(): Promise<void> {
  console.log(`placing ${scenarios.length} orders through ${config.API_URL} ...\n`);
  const print = (outcome: DemoOutcome) =>
    console.log(`${outcome.name.padEnd(34)} ${outcome.status.padEnd(20)} ${outcome.link}`);
  const outcomes = [];
  for (const scenario of scenarios) {
    outcomes.push(await follow(scenario));
    print(outcomes.at(-1)!);
  }
  const success = outcomes.find((o) => o.name === 'success' && o.status === 'COMPLETED');
  if (success) print(await followReturn(success.orderId));
  console.log(`\nall demo orders in the Web UI: ${demoListLink()}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
