import { parseArgs } from 'node:util';

/** Exit status for a command line the tool does not understand (sysexits.h EX_USAGE). */
export const EX_USAGE = 64;

/**
 * Parses a tool's arguments with `parse` (node:util parseArgs); an unknown option or a missing
 * value prints the error and the usage on stderr and exits 64.
 */
export function usageError<T>(usage: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    return refuse(usage, (error as Error).message);
  }
}

/** Refuses the command line: `message` and the usage on stderr, exit 64. */
export function refuse(usage: string, message: string): never {
  process.stderr.write(`${message}\n${usage}`);
  process.exit(EX_USAGE);
}

type Options = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

/**
 * A tool's arguments: `--help`/`-h` prints `usage` on stdout and exits 0; an unknown option or a
 * missing value prints the error and `usage` on stderr and exits 64.
 */
export function cliArgs<O extends Options>(usage: string, options: O) {
  return cliArguments(usage, options, false).values;
}

/** The same, with the positional arguments too (`allowPositionals`). */
export function cliArguments<O extends Options>(usage: string, options: O, allowPositionals: boolean) {
  const { values, positionals } = usageError(usage, () =>
    parseArgs({ options: { ...options, help: { type: 'boolean', short: 'h', default: false } }, allowPositionals }),
  );
  if ((values as { help?: boolean }).help === true) {
    process.stdout.write(usage);
    process.exit(0);
  }
  return { values: values as ReturnType<typeof parseArgs<{ options: O }>>['values'], positionals };
}
