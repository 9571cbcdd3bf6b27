import { loadConfig, readEnvFile } from '../config.js';
import type { Config } from '../config.js';

/** The service's configuration as the command-line tools see it (`.env`, then the environment). */
export function cliConfig(): Readonly<Config> {
  return loadConfig({ ...readEnvFile('.env'), ...process.env });
}
