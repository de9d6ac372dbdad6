import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
import { z } from 'zod';
import { parseEnv } from './env';

// Mutual TLS to Temporal's frontend (docs/DEPLOYMENT.md; scripts/temporal-certs makes the files). The variables are
// the ones the Temporal CLI and Web UI read, so one set of files and names serves every client of the cluster.
const tlsEnv = z
  .object({
    /** The CA that signed the server's certificate. */
    TEMPORAL_TLS_CA: z.string().min(1).optional(),
    /** This client's certificate and key (the frontend requires one with mutual TLS). */
    TEMPORAL_TLS_CERT: z.string().min(1).optional(),
    TEMPORAL_TLS_KEY: z.string().min(1).optional(),
    /** The name in the server's certificate, when the address does not carry it (an IP, a load balancer). */
    TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),
  })
  .superRefine((env, ctx) => {
    const set = [env.TEMPORAL_TLS_CA, env.TEMPORAL_TLS_CERT, env.TEMPORAL_TLS_KEY].filter(Boolean).length;
    if (set !== 0 && set !== 3) {
      ctx.addIssue({
        code: 'custom',
        path: ['TEMPORAL_TLS_CA'],
        message: 'set TEMPORAL_TLS_CA, TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY together (mutual TLS), or none',
      });
    }
  });

function read(file: string, name: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new Error(`${name}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

/** The TLS options of a Temporal client or worker connection, or undefined without TLS settings. */
export function temporalTls(env: NodeJS.ProcessEnv = process.env): TLSConfig | undefined {
  const config = parseEnv(tlsEnv, env);
  if (!config.TEMPORAL_TLS_CA) return undefined;
  return {
    serverRootCACertificate: read(config.TEMPORAL_TLS_CA, 'TEMPORAL_TLS_CA'),
    clientCertPair: {
      crt: read(config.TEMPORAL_TLS_CERT!, 'TEMPORAL_TLS_CERT'),
      key: read(config.TEMPORAL_TLS_KEY!, 'TEMPORAL_TLS_KEY'),
    },
    ...(config.TEMPORAL_TLS_SERVER_NAME ? { serverNameOverride: config.TEMPORAL_TLS_SERVER_NAME } : {}),
  };
}
