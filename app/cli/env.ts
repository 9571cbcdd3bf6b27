import { basename, extname } from 'node:path';
import { ConfigError, EX_CONFIG, loadConfig, readEnvFile } from '../config.js';
import type { Config, ConfigPurpose } from '../config.js';
import { PROVIDERS } from '../providers.js';

/** The running tool's name (`tasks`, from its file): the start of each line it writes on failing. */
export function toolName(): string {
  const file = process.argv[1] as string;
  return basename(file, extname(file));
}

/**
 * The service's configuration as the command-line tools see it (`.env`, then the environment). A
 * tool's by default (`webhook: false`): in production it needs `DATABASE_URL`, not the webhook's
 * `PUBLIC_URL` and secrets; `npm run sms`, which signs requests as the providers do, asks for
 * `webhook: true`. A mistake is one line, `tasks: configuration error: …`, and exit 78 (EX_CONFIG).
 */
export function cliConfig({ webhook = false }: ConfigPurpose = {}): Readonly<Config> {
  try {
    return loadConfig({ ...readEnvFile('.env'), ...process.env }, PROVIDERS, { webhook });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${toolName()}: configuration error: ${error.message}\n`);
    process.exit(EX_CONFIG);
  }
}
