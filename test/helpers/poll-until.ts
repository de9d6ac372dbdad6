// A bounded wait for a condition, shared by the tests.
/** Polls `probe` until `done` holds, pausing with `pause` (time-skipping tests pass `() => env.sleep(...)`). */
export async function pollUntil<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  what: string,
  pause: () => Promise<void> = () => new Promise((resolve) => setTimeout(resolve, 50)),
  attempts = 300,
): Promise<T> {
  let last: T | undefined;
  for (let i = 0; i < attempts; i++) {
    last = await probe();
    if (done(last)) return last;
    await pause();
  }
  throw new Error(`never reached ${what}; last: ${JSON.stringify(last)}`);
}
