import path from 'node:path';
import { Connection } from '@temporalio/client';
import { temporalTls } from '../../lib/temporal-tls';
import { toolsBinDir } from '../../lib/temporal-tools';
import { ManagedProcess } from '../stack/managed-process';
import type { ProcessEvent } from '../stack/managed-process';
import { POSTGRES_SUPERUSER } from './postgres';

// One Temporal server node: the server built from go.temporal.io/server at the compose image's version, with the
// image's own config template (config/docker.yaml, copied from the module by scripts/tools) and the environment
// variables docker-compose.yml gives the `temporal` service, so the cluster runs what compose runs. Each node runs
// the four roles (frontend, history, matching, worker) on its own loopback address with the standard ports;
// the nodes find each other through the membership table in PostgreSQL (ringpop) and share the history shards.

const root = path.resolve(__dirname, '..', '..');
export const serverHome = path.resolve(toolsBinDir, '..', 'temporal-server');
export const FRONTEND_PORT = 7233;
/** The dynamic config compose mounts into the server. */
export const DYNAMIC_CONFIG = path.join(root, 'docker', 'temporal', 'dynamicconfig', 'production-sql.yaml');

export interface TemporalNodeOptions {
  name: string;
  /** A loopback address of its own, e.g. 127.0.0.2. */
  ip: string;
  postgresPort: number;
  postgresPassword: string;
  historyShards: number;
  /** The dynamic config file (default: compose's, DYNAMIC_CONFIG). */
  dynamicConfig?: string;
  /** The certificates of mutual TLS (scripts/temporal-certs): ca.pem, server.pem and server.key. */
  tlsDir: string;
  logFile: string;
  events: ProcessEvent[];
}

/** The environment docker-compose.yml's `temporal` service sets, for a node on `ip`. */
export function temporalNodeEnv(options: Omit<TemporalNodeOptions, 'name' | 'logFile' | 'events'>): NodeJS.ProcessEnv {
  return {
    DB: 'postgres12',
    DB_PORT: String(options.postgresPort),
    // The visibility store reads its port from POSTGRES_PORT (the template's default is 5432).
    POSTGRES_PORT: String(options.postgresPort),
    POSTGRES_SEEDS: '127.0.0.1',
    POSTGRES_USER: POSTGRES_SUPERUSER,
    POSTGRES_PWD: options.postgresPassword,
    BIND_ON_IP: options.ip,
    TEMPORAL_BROADCAST_ADDRESS: options.ip,
    PROMETHEUS_ENDPOINT: `${options.ip}:8000`,
    DYNAMIC_CONFIG_FILE_PATH: options.dynamicConfig ?? DYNAMIC_CONFIG,
    NUM_HISTORY_SHARDS: String(options.historyShards),
    LOG_LEVEL: 'warn',
    ...temporalServerTlsEnv(options.tlsDir),
  };
}

/** The server side of mutual TLS, as compose gives it: frontend and internode, every client certificate required. */
export function temporalServerTlsEnv(tlsDir: string): Record<string, string> {
  const file = (name: string) => path.join(tlsDir, name);
  return {
    TEMPORAL_TLS_REQUIRE_CLIENT_AUTH: 'true',
    TEMPORAL_TLS_SERVER_CA_CERT: file('ca.pem'),
    TEMPORAL_TLS_SERVER_CERT: file('server.pem'),
    TEMPORAL_TLS_SERVER_KEY: file('server.key'),
    TEMPORAL_TLS_FRONTEND_CERT: file('server.pem'),
    TEMPORAL_TLS_FRONTEND_KEY: file('server.key'),
    TEMPORAL_TLS_CLIENT1_CA_CERT: file('ca.pem'),
    TEMPORAL_TLS_CLIENT2_CA_CERT: file('ca.pem'),
    TEMPORAL_TLS_INTERNODE_SERVER_NAME: TLS_SERVER_NAME,
    TEMPORAL_TLS_FRONTEND_SERVER_NAME: TLS_SERVER_NAME,
  };
}

/** The name in the server's certificate (scripts/temporal-certs): clients reach the nodes by IP or through HAProxy. */
export const TLS_SERVER_NAME = 'temporal';

/** What a client of the cluster sets (lib/temporal-tls.ts, the Temporal CLI and Web UI read the same variables). */
export function temporalClientTlsEnv(tlsDir: string): Record<string, string> {
  return {
    TEMPORAL_TLS_CA: path.join(tlsDir, 'ca.pem'),
    TEMPORAL_TLS_CERT: path.join(tlsDir, 'client.pem'),
    TEMPORAL_TLS_KEY: path.join(tlsDir, 'client.key'),
    TEMPORAL_TLS_SERVER_NAME: TLS_SERVER_NAME,
  };
}

export function temporalNode(options: TemporalNodeOptions): ManagedProcess {
  const address = `${options.ip}:${FRONTEND_PORT}`;
  return new ManagedProcess(
    {
      name: options.name,
      command: path.join(toolsBinDir, 'temporal-server'),
      args: ['--root', serverHome, '--config', 'config', '--env', 'docker', 'start'],
      env: temporalNodeEnv(options),
      logFile: options.logFile,
      ready: async () => {
        const tls = temporalTls(temporalClientTlsEnv(options.tlsDir));
        const connection = await Connection.connect({ address, connectTimeout: 1_000, tls });
        try {
          await connection.workflowService.getSystemInfo({});
          return true;
        } finally {
          await connection.close();
        }
      },
      readyTimeoutMs: 120_000,
    },
    options.events,
  );
}

/** The history shards a node owns now, from its Prometheus endpoint (undefined when it does not answer). */
export async function ownedShards(ip: string): Promise<number | undefined> {
  try {
    const response = await fetch(`http://${ip}:8000/metrics`, { signal: AbortSignal.timeout(2_000) });
    const match = /^numshards_gauge\{[^}]*service_name="history"[^}]*\} (\d+)/m.exec(await response.text());
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}
