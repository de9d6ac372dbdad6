import type { Logger } from '../lib/logger';

export interface HelloDeps {
  logger: Logger;
}

/** A minimal activity set proving the worker wiring; the order saga's activities live beside it. */
export function createHelloActivities({ logger }: HelloDeps) {
  return {
    async greet(name: string): Promise<string> {
      logger.info({ name }, 'greeting');
      return `Hello, ${name}!`;
    },
  };
}

export type HelloActivities = ReturnType<typeof createHelloActivities>;
