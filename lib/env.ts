import { z } from 'zod';

/** Thrown when the environment does not satisfy a config schema; the message lists every bad variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Parses environment variables once with a zod schema and fails fast with one readable message
 * naming each offending variable, instead of a stack of undefined-property errors later.
 */
export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `  ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
}

/** A TCP port from the environment, with a default. */
export const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

/** A yes/no switch from the environment: true/false (also 1/0, yes/no), with a default. */
export const flag = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(fallback ? 'true' : 'false')
    .transform((value) => value === 'true' || value === '1' || value === 'yes');

/** One URL or a comma-separated list of them (a service's replicas), with a default. */
export const urlList = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value) =>
      value
        .split(',')
        .map((url) => url.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.url()).min(1, 'at least one URL'));

/** A duration as Temporal reads it: a number and a unit ("90 seconds", "24 hours", "2 days"), with a default. */
export const duration = (fallback: string) =>
  z
    .string()
    .regex(/^\d+ ?(ms|milliseconds?|s|seconds?|m|minutes?|h|hours?|d|days?)$/, 'a duration such as "30 minutes"')
    .default(fallback);
