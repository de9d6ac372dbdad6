import type { z } from 'zod';
import { validationError } from './errors';

/** Parses request input (`where`: body, params, query, headers.<name>) with a zod schema; 400 VALIDATION_ERROR with the zod issues in details otherwise. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, where: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: [where, ...issue.path.map(String)].join('.'),
    code: issue.code,
    message: issue.message,
    ...('keys' in issue ? { keys: issue.keys } : {}),
  }));
  throw validationError(`Invalid request ${where}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, {
    issues,
  });
}
