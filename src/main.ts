import { createApp, withReplaySymbols } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createAppLogger } from './logger.js';

let config: Config;
try {
  config = withReplaySymbols(loadConfig(), process.env);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}

const logger = await createAppLogger(config);
const app = createApp({ config, logger });

process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection'));

try {
  const port = await app.start();
  const shown = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST;
  logger.info(`perpgraph ready: GraphiQL at http://${shown}:${port}/graphql`);
} catch (error) {
  logger.fatal({ err: error }, 'failed to start');
  await app.stop().catch(() => {});
  process.exit(1);
}

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down: closing sockets, flushing snapshots');
  const timer = setTimeout(() => {
    logger.error('shutdown timed out; exiting anyway');
    process.exit(1);
  }, config.SHUTDOWN_TIMEOUT_MS);
  timer.unref();
  await app.stop();
  logger.info('bye');
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
