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
    process.stderr.write(`${(error as Error).message}\n${usage}`);
    process.exit(EX_USAGE);
  }
}
