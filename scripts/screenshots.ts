// Screenshots of the real Temporal Web UI for docs/OPERATIONS.md: with the stack running (bash scripts/start),
// places the demo orders and captures the list filtered by search attributes and a completed and a
// compensated order. Headless Debian Chromium driven by playwright-core (scripts/screenshots installs it).
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { Page } from 'playwright-core';
import { config, demoCustomerQuery, follow, scenarios } from './demo-orders';
import { CHROMIUM_ARGS, signInToCodec } from './ui-codec';

// The local stack's codec server and its development token (scripts/stack/main.ts).
const codec = {
  url: process.env.CODEC_URL ?? 'http://127.0.0.1:8234',
  token: process.env.CODEC_TOKEN ?? 'sk_demo_codec_operator',
};

const outDir = path.resolve(__dirname, '..', 'docs', 'images');
const ui = (suffix: string) => `${config.TEMPORAL_UI_URL}/namespaces/${config.TEMPORAL_NAMESPACE}${suffix}`;

async function capture(page: Page, url: string, file: string, settle?: (page: Page) => Promise<void>): Promise<void> {
  await page.goto(url, { waitUntil: 'networkidle' });
  await settle?.(page);
  await page.waitForTimeout(1_000);
  await page.screenshot({ path: path.join(outDir, file) });
  console.log(`docs/images/${file}  <- ${url}`);
}

async function main(): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  const outcomes = [];
  for (const scenario of scenarios) outcomes.push(await follow(scenario));
  const completed = outcomes.find((o) => o.status === 'COMPLETED');
  const compensated = outcomes.find((o) => o.status === 'COMPENSATED' && o.name === 'declined card');
  if (!completed || !compensated) throw new Error(`demo orders did not end as expected: ${JSON.stringify(outcomes)}`);

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
  try {
    // Payloads are encrypted: the pictures show what a signed-in operator sees, decoded by the codec server.
    const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
    await signInToCodec(context, { codecUrl: codec.url, uiUrl: config.TEMPORAL_UI_URL, token: codec.token });
    const page = await context.newPage();
    const query = (q: string) => ui(`/workflows?query=${encodeURIComponent(q)}`);
    await capture(page, query(demoCustomerQuery()), 'ui-orders-by-customer.png');
    await capture(page, query('OrderStatus = "COMPENSATED"'), 'ui-orders-compensated.png');
    await capture(page, ui(`/workflows/${completed.orderId}`), 'ui-order-completed.png');
    await capture(page, ui(`/workflows/${compensated.orderId}`), 'ui-order-compensated.png');
    const stranger = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    await capture(stranger, ui(`/workflows/${completed.orderId}`), 'ui-order-encrypted.png', async (p) => {
      await p.locator('#content').getByText('Codec Server could not connect').waitFor({ timeout: 30_000 });
    });
    await capture(page, ui(`/workflows/${compensated.orderId}`), 'ui-order-compensated-metadata.png', async (p) => {
      await p
        .getByRole('link', { name: 'User Metadata' })
        .or(p.getByText('User Metadata', { exact: true }))
        .first()
        .click();
    });
  } finally {
    await browser.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
