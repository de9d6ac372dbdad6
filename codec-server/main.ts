import { listen } from '../lib/http/listen';
import { createLogger } from '../lib/logger';
import { createCodecApp } from './app';
import { loadCodecServerConfig } from './config';

// The codec server process: decodes payloads for the Temporal Web UI and CLI (docs/OPERATIONS.md).
const logger = createLogger({ component: 'codec-server' });

async function main(): Promise<void> {
  const config = loadCodecServerConfig();
  const server = await listen(createCodecApp({ config, logger }), config.CODEC_PORT, config.CODEC_HOST);
  logger.info(
    {
      url: `http://${config.CODEC_HOST}:${config.CODEC_PORT}`,
      origins: config.CODEC_CORS_ORIGINS,
      keys: [...config.keys.byId.keys()],
      tokens: config.CODEC_TOKENS.map((token) => token.name),
    },
    'codec server listening',
  );
  const stop = () => server.close(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  logger.fatal({ err }, 'codec server failed to start');
  process.exit(1);
});
