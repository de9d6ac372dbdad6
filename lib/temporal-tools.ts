import { existsSync } from 'node:fs';
import path from 'node:path';

/** Where scripts/tools caches the native Temporal tools. */
export const toolsBinDir = path.resolve(__dirname, '..', '.tools', 'bin');

/**
 * Path of a locally built Temporal tool: the env override if set, else `.tools/bin/<name>` if built,
 * else undefined (callers then fall back to the SDK's own download, which needs the internet).
 */
export function localToolPath(name: 'temporal' | 'temporal-test-server'): string | undefined {
  const override = name === 'temporal' ? process.env.TEMPORAL_CLI_PATH : process.env.TEMPORAL_TEST_SERVER_PATH;
  if (override) {
    if (!existsSync(override)) throw new Error(`${name}: configured path ${override} does not exist`);
    return override;
  }
  const built = path.join(toolsBinDir, name);
  return existsSync(built) ? built : undefined;
}
