import { parseArgs } from 'node:util';
import { exit } from './tool.js';
import type { Cli } from './tool.js';

/** Exit status for a command line the tool does not understand (sysexits.h EX_USAGE). */
export const EX_USAGE = 64;

/**
 * Parses a tool's arguments with `parse` (node:util parseArgs); an unknown option or a missing
 * value prints the error and the usage on stderr and exits 64.
 */
export function usageError<T>(cli: Cli, usage: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    return refuse(cli, usage, (error as Error).message);
  }
}

/** Refuses the command line: `message` and the usage on stderr, exit 64. */
export function refuse(cli: Cli, usage: string, message: string): never {
  cli.stderr.write(`${message}\n${usage}`);
  return exit(EX_USAGE);
}

/** `--help`: the usage on stdout, exit 0. */
export function help(cli: Cli, usage: string): never {
  cli.stdout.write(usage);
  return exit(0);
}

type Options = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

/**
 * A tool's arguments: `--help`/`-h` prints `usage` on stdout and exits 0; an unknown option or a
 * missing value prints the error and `usage` on stderr and exits 64.
 */
export function cliArgs<O extends Options>(cli: Cli, args: string[], usage: string, options: O) {
  return cliArguments(cli, args, usage, options, false).values;
}

/** The same, with the positional arguments too (`allowPositionals`). */
export function cliArguments<O extends Options>(
  cli: Cli,
  args: string[],
  usage: string,
  options: O,
  allowPositionals: boolean,
) {
  const { values, positionals } = usageError(cli, usage, () =>
    parseArgs({
      args,
      options: { ...options, help: { type: 'boolean', short: 'h', default: false } },
      allowPositionals,
    }),
  );
  if ((values as { help?: boolean }).help === true) help(cli, usage);
  return { values: values as ReturnType<typeof parseArgs<{ options: O }>>['values'], positionals };
}
