import type { Server } from 'node:http';
import type { Express } from 'express';

/**
 * Serves `app` and resolves once it listens, or rejects with the listen error (EADDRINUSE...). Not app.listen's
 * callback: Express 5 also calls it with a listen error, as if the server had listened.
 */
export async function listen(app: Express, port: number, host: string): Promise<Server> {
  const server = app.listen(port, host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  return server;
}
