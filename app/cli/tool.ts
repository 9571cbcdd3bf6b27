import { existsSync, realpathSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';

/** What a tool reads and writes: the environment and the three standard streams. */
export interface ToolIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
}

/** A running tool: its streams, and its name, the start of each line it writes on failing. */
export interface Cli extends ToolIo {
  readonly name: string;
}

/**
 * A command-line tool: runs with its arguments (without `node` and the script) and its streams,
 * and resolves with its exit status. A bug rejects, with its stack.
 */
export type Tool = (argv: readonly string[], io: ToolIo) => Promise<number>;

/** Thrown by `exit`: ends the tool with `status` wherever it is (its `finally` blocks still run). */
class ToolExit extends Error {
  constructor(readonly status: number) {
    super(`exit ${status}`);
  }
}

/** Ends the running tool with `status`, as process.exit would end a process. */
export function exit(status: number): never {
  throw new ToolExit(status);
}

/** The tool `name` whose work is `body`, resolving with its exit status (or the one it `exit`s with). */
export function tool(name: string, body: (cli: Cli, argv: string[]) => Promise<number>): Tool {
  return async (argv, io) => {
    try {
      return await body({ env: io.env, stdin: io.stdin, stdout: io.stdout, stderr: io.stderr, name }, [...argv]);
    } catch (error) {
      if (error instanceof ToolExit) return error.status;
      throw error;
    }
  };
}

/**
 * Runs `run` with the process's arguments and streams when the module at `url` is the one node was
 * started with (`node dist/app/cli/tasks.js`, or scripts/tool.mjs, which names it in argv[1]); the
 * exit status becomes the process's. Imported (as the tests do), it does nothing.
 */
export async function runIfMain(url: string, run: Tool): Promise<void> {
  // argv[1] may be missing (node -e) or not a file: then no module was started by its path.
  const started = process.argv.slice(1, 2).filter((file) => existsSync(file));
  if (!started.map((file) => realpathSync(file)).includes(fileURLToPath(url))) return;
  process.exitCode = await run(process.argv.slice(2), process);
}
