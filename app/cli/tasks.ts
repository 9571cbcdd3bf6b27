/** Lists the open tasks for the sales team (`npm run tasks`, `--json` for one object per line). */
import { cliArgs } from './usage.js';
import { cliRepository } from './db.js';
import { runIfMain, tool } from './tool.js';

const dueAt = (details: Readonly<Record<string, unknown>>) =>
  typeof details['due_at'] === 'string' ? ` (${details['due_at']})` : '';

const USAGE = `usage: npm run tasks -- [--json]

Lists the open tasks for the sales team, oldest first: call-backs, meetings, and replies held for
review (resolve those with npm run review).
`;

export const run = tool('tasks', async (cli, args) => {
  const values = cliArgs(cli, args, USAGE, { json: { type: 'boolean', default: false } });
  const { repository, db } = await cliRepository(cli);
  try {
    const tasks = await repository.listOpenTasks();
    if (values.json) for (const task of tasks) cli.stdout.write(`${JSON.stringify(task)}\n`);
    else {
      cli.stdout.write(`${tasks.length} open task(s)\n`);
      for (const task of tasks) {
        cli.stdout.write(
          `#${task.id}\t${task.kind}\t${task.contact}\t${task.due_text ?? 'no time given'}${dueAt(task.details)}\tcampaign ${task.campaign_id ?? '-'}\t${task.created_at.toISOString()}\n`,
        );
      }
    }
  } finally {
    await db.destroy();
  }
  return 0;
});

await runIfMain(import.meta.url, run);
