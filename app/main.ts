import 'reflect-metadata';
import { ConfigError, loadConfig, readEnvFile } from './config.js';
import { createLogger } from './logger.js';
import { startService } from './service.js';

/** Entry point: configuration, logging, start, and a graceful stop on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig({ ...readEnvFile('.env'), ...process.env });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`berinia-webhook: configuration error: ${error.message}\n`);
    process.exit(78); // EX_CONFIG: systemd does not restart on it (RestartPreventExitStatus)
  }
  const logger = createLogger(config.logLevel);
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection'));
  if (config.twilio.usingDevelopmentToken) {
    logger.warn('TWILIO_TOKEN is not set: using the fixed development token; set it before receiving real traffic');
  }

  const service = await startService(config, logger);
  const shutdown = (signal: string): void => {
    logger.info({ signal }, 'stopping');
    service.stop().then(
      () => {
        logger.flush();
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'stop failed');
        logger.flush();
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`berinia-webhook: failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
