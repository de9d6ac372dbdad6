import { readFileSync } from 'node:fs';
import { Connection } from '@temporalio/client';
import type { TLSConfig } from '@temporalio/client';
import { temporalTls } from '../../lib/temporal-tls';

export type ProbeOutcome = 'refused' | 'accepted';

/** Whether a Temporal frontend answers a client connecting with `tls` (undefined: plaintext). */
async function probe(address: string, tls: TLSConfig | undefined): Promise<ProbeOutcome> {
  try {
    const connection = await Connection.connect({ address, tls, connectTimeout: 3_000 });
    try {
      await connection.withDeadline(Date.now() + 3_000, () => connection.workflowService.getSystemInfo({}));
      return 'accepted';
    } finally {
      await connection.close();
    }
  } catch {
    return 'refused';
  }
}

/**
 * What the cluster's frontend does with clients that lack what mutual TLS asks for: a plaintext client, and a TLS
 * client that trusts the CA but presents no certificate, must be refused; the cluster's own clients' settings must be
 * accepted (test/cluster/cluster.test.ts).
 */
export async function temporalTlsProbe(
  address: string,
  tlsEnv: Record<string, string>,
): Promise<{ plaintext: ProbeOutcome; withoutClientCertificate: ProbeOutcome; withClientCertificate: ProbeOutcome }> {
  const [plaintext, withoutClientCertificate, withClientCertificate] = await Promise.all([
    probe(address, undefined),
    probe(address, {
      serverRootCACertificate: readFileSync(tlsEnv.TEMPORAL_TLS_CA!),
      serverNameOverride: tlsEnv.TEMPORAL_TLS_SERVER_NAME,
    }),
    probe(address, temporalTls(tlsEnv)),
  ]);
  return { plaintext, withoutClientCertificate, withClientCertificate };
}
