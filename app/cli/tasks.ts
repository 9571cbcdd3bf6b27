/** Lists the open tasks for the sales team (`npm run tasks`, `--json` for one object per line). */
import { cliArgs } from './usage.js';
import { cliRepository } from './db.js';

const dueAt = (details: Readonly<Record<string, unknown>>) =>
  typeof details['due_at'] === 'string' ? ` (${details['due_at']})` : '';

const USAGE = `usage: npm run tasks -- [--json]

Lists the open tasks for the sales team, oldest first: call-backs, meetings, and replies held for
review (resolve those with npm run review).
`;
const values = cliArgs(USAGE, { json: { type: 'boolean', default: false } });
const { repository, db } = await cliRepository();
try {
  const tasks = await repository.listOpenTasks();
  if (values.json) for (const task of tasks) process.stdout.write(`${JSON.stringify(task)}\n`);
  else {
    process.stdout.write(`${tasks.length} open task(s)\n`);
    for (const task of tasks) {
      process.stdout.write(
        `#${task.id}\t${task.kind}\t${task.contact}\t${task.due_text ?? 'no time given'}${dueAt(task.details)}\tcampaign ${task.campaign_id ?? '-'}\t${task.created_at.toISOString()}\n`,
      );
    }
  }
} finally {
  await db.destroy();
}
