/**
 * Where the server's time goes: summarizes each V8 CPU profile (`.cpuprofile`, from `node
 * --cpu-prof`) in a directory. Prints the time by owner (a package, Node itself, our own top-level
 * directories), the functions with the most self time, and our own functions with the most total
 * time (themselves and what they call). Also writes `<profile>.folded`, the collapsed stacks a
 * flame graph is drawn from (speedscope, flamegraph.pl); the profile itself opens in Chrome DevTools.
 *
 * Usage: node --import tsx bench/profile.ts <directory> [rows]
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Who a frame belongs to: `pkg:<name>`, `node`, `v8 (gc, idle...)` or our directory (`adapters/http`). */
export function ownerOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (url === '')
    return functionName.startsWith('(') ? functionName : 'native (V8 builtins, C++ bindings, system calls)';
  if (url.startsWith('node:')) return 'node';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules !== -1) {
    const parts = url.slice(modules + '/node_modules/'.length).split('/');
    return `pkg:${parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]}`;
  }
  const path = shortPath(url);
  return path.split('/').slice(0, -1).join('/') || path;
}

/** A file of ours as a path from the project root; other URLs as they are. */
function shortPath(url: string): string {
  return url.startsWith('file://') ? relative(ROOT, fileURLToPath(url)) : url;
}

function label(frame: CallFrame): string {
  const where = shortPath(frame.url);
  return `${frame.functionName || '(anonymous)'} ${where}${where ? `:${frame.lineNumber + 1}` : ''}`;
}

function summarize(file: string, rows: number): void {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const selfMicros = new Map<number, number>();
  profile.samples.forEach((id, i) => selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

  const total = [...selfMicros.values()].reduce((a, b) => a + b, 0);
  const idle = [...selfMicros].filter(([id]) => byId.get(id)?.callFrame.functionName === '(idle)');
  const busy = total - idle.reduce((sum, [, us]) => sum + us, 0);

  const owners = new Map<string, number>();
  const selfByFunction = new Map<string, number>();
  const totalByFunction = new Map<string, number>();
  const folded = new Map<string, number>();
  for (const [id, us] of selfMicros) {
    const frame = (byId.get(id) as ProfileNode).callFrame;
    if (frame.functionName === '(idle)') continue;
    const owner = ownerOf(frame);
    owners.set(owner, (owners.get(owner) ?? 0) + us);
    selfByFunction.set(label(frame), (selfByFunction.get(label(frame)) ?? 0) + us);
    const stack: string[] = [];
    const counted = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const node = byId.get(at) as ProfileNode;
      if (node.callFrame.functionName === '(root)') break;
      const name = label(node.callFrame);
      stack.push(name.replaceAll(';', ','));
      // Our own functions, each once per stack (recursion is not counted twice).
      if (
        !counted.has(name) &&
        node.callFrame.url.startsWith('file://') &&
        !node.callFrame.url.includes('/node_modules/')
      ) {
        counted.add(name);
        totalByFunction.set(name, (totalByFunction.get(name) ?? 0) + us);
      }
    }
    const key = stack.reverse().join(';');
    folded.set(key, (folded.get(key) ?? 0) + us);
  }
  writeFileSync(`${file}.folded`, [...folded].map(([stack, us]) => `${stack} ${us}`).join('\n') + '\n');

  const pct = (us: number) => `${((us / busy) * 100).toFixed(1).padStart(5)} %`;
  const top = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, rows)
      .map(([name, us]) => `  ${pct(us)}  ${name}`)
      .join('\n');
  process.stdout.write(
    [
      `\n## ${relative(process.cwd(), file)}: ${(busy / 1e6).toFixed(1)} s busy of ${(total / 1e6).toFixed(1)} s`,
      `\nBusy time by owner:\n${top(owners)}`,
      `\nSelf time by function:\n${top(selfByFunction)}`,
      `\nTotal time of our own functions (with what they call):\n${top(totalByFunction)}`,
      `\nCollapsed stacks for a flame graph: ${relative(process.cwd(), file)}.folded\n`,
    ].join('\n'),
  );
}

const [directory, rows = '25'] = process.argv.slice(2);
if (directory === undefined) {
  process.stderr.write('usage: bench/profile.ts <directory of .cpuprofile files> [rows]\n');
  process.exit(64);
}
for (const name of readdirSync(directory)
  .filter((n) => n.endsWith('.cpuprofile'))
  .sort())
  summarize(join(directory, name), Number(rows));
