import type { Logger } from '../lib/logger';
import { createHelloActivities } from './hello';

export interface ActivityDeps {
  logger: Logger;
}

/** All activities the worker registers, built over their dependencies so tests can inject their own. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createHelloActivities(deps),
  };
}
