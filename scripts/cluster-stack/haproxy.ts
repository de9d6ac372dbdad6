import { writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { ManagedProcess } from '../stack/managed-process';
import type { ProcessEvent } from '../stack/managed-process';

// HAProxy (Debian's) in front of the cluster's Temporal frontends and API instances: clients keep one address,
// and the loss of a node or an instance only moves their connections to the one left. TCP mode for gRPC (HTTP/2
// passes through); health checks every second take a dead backend out within two.

export interface Backend {
  name: string;
  address: string;
}

export interface HaproxyOptions {
  dir: string;
  temporal: { port: number; backends: Backend[] };
  api: { port: number; backends: Backend[] };
  events: ProcessEvent[];
}

function config(options: HaproxyOptions): string {
  const servers = (backends: Backend[], check: string) =>
    backends.map((b) => `  server ${b.name} ${b.address} ${check}`).join('\n');
  return `global
  maxconn 8192

defaults
  mode tcp
  timeout connect 2s
  # Long polls (Temporal's task and history polls wait up to ~70 s; Prefer: wait and SSE up to 300 s).
  timeout client 10m
  timeout server 10m
  option redispatch
  retries 3

frontend temporal
  bind 127.0.0.1:${options.temporal.port}
  default_backend temporal_frontends

backend temporal_frontends
  balance roundrobin
  # A node that dies takes its connections with it; the clients reconnect to the one left.
  default-server on-marked-down shutdown-sessions
${servers(options.temporal.backends, 'check inter 1s fall 2 rise 2')}

frontend api
  bind 127.0.0.1:${options.api.port}
  default_backend api_instances

backend api_instances
  balance roundrobin
  option httpchk GET /ready
  http-check expect status 200
${servers(options.api.backends, 'check inter 1s fall 2 rise 2')}
`;
}

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

export function haproxyProcess(options: HaproxyOptions): ManagedProcess {
  const file = path.join(options.dir, 'haproxy.cfg');
  writeFileSync(file, config(options));
  return new ManagedProcess(
    {
      name: 'haproxy',
      command: 'haproxy',
      // -db: stay in the foreground; -W: master-worker, so SIGTERM stops it cleanly.
      args: ['-W', '-db', '-f', file],
      logFile: path.join(options.dir, 'haproxy.log'),
      ready: async () => (await accepts(options.temporal.port)) && (await accepts(options.api.port)),
    },
    options.events,
  );
}
