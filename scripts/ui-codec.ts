import type { BrowserContext } from 'playwright-core';

/** Flags for a machine without outside network (see the environment notes): no background connections. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * What an operator does once per browser so the Temporal Web UI shows decoded payloads: sign in at the codec
 * server (a session cookie), then in the UI's codec server settings use this endpoint with cross-origin
 * credentials. The settings live in the UI's local storage (keys of its data-encoder settings store).
 */
export async function signInToCodec(
  context: BrowserContext,
  options: { codecUrl: string; uiUrl: string; token: string },
): Promise<void> {
  const page = await context.newPage();
  await page.goto(`${options.codecUrl}/login`);
  await page.getByLabel('Codec token').fill(options.token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('Signed in as').waitFor();
  await page.goto(options.uiUrl);
  const settings = {
    endpoint: options.codecUrl,
    includeCredentials: true,
    passAccessToken: false,
    overrideRemoteCodecConfiguration: true,
  };
  // A string, evaluated in the page: this file is compiled without the DOM's types.
  await page.evaluate(
    Object.entries(settings)
      .map(([key, value]) => `localStorage.setItem(${JSON.stringify(key)}, ${JSON.stringify(JSON.stringify(value))});`)
      .join('\n'),
  );
  await page.close();
}
