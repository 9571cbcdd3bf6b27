import 'reflect-metadata';
import { inspect } from 'node:util';
import { ConfigError, envFileWarning, EX_CONFIG, loadConfig, readEnvFile } from './config.js';
import type { Config } from './config.js';
import { databaseExitStatus } from './database.js';
import { createLogger } from './logger.js';
import { startService } from './service.js';

const ENV_FILE = '.env';

/** Entry point: configuration, logging, start, and a graceful stop on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig({ ...readEnvFile(ENV_FILE), ...process.env });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`berinia-webhook: configuration error: ${error.message}\n`);
    process.exit(EX_CONFIG); // systemd does not restart on it (RestartPreventExitStatus=78)
  }
  const logger = createLogger(config.logLevel);
  /* c8 ignore next 3 -- a safety net for bugs: no test can make the code reject unhandled without planting one */
  process.on('unhandledRejection', (reason) => {
    logger.error({ err: reason }, 'unhandled rejection');
  });
  const permissions = envFileWarning(ENV_FILE);
  if (permissions !== null) logger.warn(permissions);
  for (const provider of config.providers) for (const warning of provider.warnings) logger.warn(warning);

  const service = await startService(config, logger);
  const shutdown = (signal: string): void => {
    logger.info({ signal }, 'stopping');
    service.stop().then(
      () => exit(0),
      /* c8 ignore next 4 -- only when closing the pool itself fails, which no fault here reproduces */
      (error: unknown) => {
        logger.error({ err: error }, 'stop failed');
        exit(1);
      },
    );
  };
  const exit = (code: number): void => {
    logger.flush();
    process.exit(code);
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

// A database that cannot be used as it is (unreachable: 69, restarted by systemd; the embedded one
// in use: 75) is one line naming the cause; anything else is a bug, with its stack.
main().catch((error: unknown) => {
  const status = databaseExitStatus(error);
  if (status !== null) {
    process.stderr.write(`berinia-webhook: cannot start: ${(error as Error).message}\n`);
    process.exit(status);
  }
  process.stderr.write(`berinia-webhook: failed to start: ${inspect(error)}\n`);
  process.exit(1);
});
