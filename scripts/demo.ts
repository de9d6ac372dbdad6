// Places a few orders through the running stack's API (bash scripts/start) and follows them to the end:
// a success, an out-of-stock, a declined card and a cancelled large order. Prints where to see them.
import { config, demoListLink, follow, scenarios } from './demo-orders';

async function main(): Promise<void> {
  console.log(`placing ${scenarios.length} orders through ${config.API_URL} ...\n`);
  for (const scenario of scenarios) {
    const outcome = await follow(scenario);
    console.log(`${outcome.name.padEnd(34)} ${outcome.status.padEnd(20)} ${outcome.link}`);
  }
  console.log(`\nall demo orders in the Web UI: ${demoListLink()}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
