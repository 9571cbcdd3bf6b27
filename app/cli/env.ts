import { ConfigError, EX_CONFIG, loadConfig, readEnvFile } from '../config.js';
import type { Config, ConfigPurpose } from '../config.js';
import { PROVIDERS } from '../providers.js';
import { exit } from './tool.js';
import type { Cli } from './tool.js';

/**
 * The service's configuration as the command-line tools see it (`.env`, then the environment). A
 * tool's by default (`webhook: false`): in production it needs `DATABASE_URL`, not the webhook's
 * `PUBLIC_URL` and secrets; `npm run sms`, which signs requests as the providers do, asks for
 * `webhook: true`. A mistake is one line, `tasks: configuration error: …`, and exit 78 (EX_CONFIG).
 */
export function cliConfig(cli: Cli, { webhook = false }: ConfigPurpose = {}): Readonly<Config> {
  try {
    return loadConfig({ ...readEnvFile('.env'), ...cli.env }, PROVIDERS, { webhook });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    cli.stderr.write(`${cli.name}: configuration error: ${error.message}\n`);
    return exit(EX_CONFIG);
  }
}
