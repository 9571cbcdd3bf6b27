/**
 * Replies held for a person (`npm run review`): lists what waits, oldest first, and resolves one
 * with the intent a person reads (`--resolve ID --as INTENT`). OPT_OUT confirms the opt-out; any
 * other intent releases the number and does what that intent does (a call-back becomes a task).
 * Each resolution is kept as a labelled example for `npm run train -- --with-reviewed`.
 */
import { parseArgs } from 'node:util';
import { INTENTS, isIntent } from '../../core/intent.js';
import { ResolveReview } from '../../core/resolve-review.js';
import { cliConfig } from './env.js';
import { cliRepository } from './db.js';
import { runIfMain, tool } from './tool.js';
import { EX_USAGE, help, usageError } from './usage.js';

const USAGE = `usage: npm run review -- [--json]
       npm run review -- --resolve ID --as INTENT [--by NAME]

Lists the replies held for a person (the number is not texted while one waits), or resolves one:
  --resolve ID   the review's id, as listed
  --as INTENT    what the reply says: OPT_OUT confirms the opt-out; any other intent releases the
                 number and acts on it (${INTENTS.join(', ')})
  --by NAME      who decided (default: $USER), kept with the decision
  --json         one JSON object a line
`;

export const run = tool('review', async (cli, args) => {
  const { values } = usageError(cli, USAGE, () =>
    parseArgs({
      args,
      options: {
        json: { type: 'boolean', default: false },
        resolve: { type: 'string' },
        as: { type: 'string' },
        by: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }),
  );
  if (values.help) help(cli, USAGE);
  const intent = values.as?.toUpperCase();
  if ((values.resolve === undefined) !== (intent === undefined) || (intent !== undefined && !isIntent(intent))) {
    cli.stderr.write(`review: --resolve and --as go together, and --as takes one of ${INTENTS.join(', ')}\n${USAGE}`);
    return EX_USAGE;
  }

  let status = 0;
  const { repository, db } = await cliRepository(cli);
  try {
    if (values.resolve !== undefined && intent !== undefined && isIntent(intent)) {
      const reviewer = values.by ?? cli.env['USER'] ?? 'operator';
      const use = new ResolveReview({ repository, brand: cliConfig(cli).brand });
      const outcome = await use.execute({ taskId: values.resolve, intent, reviewer, at: new Date() });
      if (outcome.kind === 'resolved') {
        cli.stdout.write(
          `review #${values.resolve} resolved as ${intent}: ${outcome.phone} is now ${outcome.lead_status}\n`,
        );
      } else {
        cli.stderr.write(
          `review: #${values.resolve} ${outcome.kind === 'not_found' ? 'does not exist' : 'was already resolved'}\n`,
        );
        status = 1;
      }
    } else {
      const reviews = await repository.listReviews();
      if (values.json) for (const review of reviews) cli.stdout.write(`${JSON.stringify(review)}\n`);
      else {
        cli.stdout.write(`${reviews.length} repl${reviews.length === 1 ? 'y waits' : 'ies wait'} for a person\n`);
        for (const { id, phone, details, text, received_at } of reviews) {
          const readAs = `${String(details['read_as'])} ${Number(details['confidence']).toFixed(2)}`;
          cli.stdout.write(
            `#${id}\t${received_at.toISOString()}\t${phone}\tread as ${readAs}\t${JSON.stringify(text)}\n`,
          );
        }
      }
    }
  } finally {
    await db.destroy();
  }
  return status;
});

await runIfMain(import.meta.url, run);
