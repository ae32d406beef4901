// The worker's support tick: breach warnings before and at each deadline (activity
// `support.breaching` / `support.breached`, once per ticket and deadline — the notice is written
// into the ticket by a guarded update before the event goes out), and the queue rebuilt from the
// tickets when Redis lost it.
import { Types } from 'mongoose';
import type { AppDeps } from '../../context.js';
import { publishActivity } from '../activity/activity.js';
import type { TicketDoc } from './support.model.js';
import { phaseOf, slaStateOf } from './support.rules.js';
import { queueOf, syncQueue } from './support.service.js';

/** the longest warning window a policy may set (support.service.ts) */
const MAX_WARN_MS = 10_080 * 60_000;

export async function rebuildQueue(deps: AppDeps): Promise<number> {
  const queue = queueOf(deps);
  await queue.clearAll();
  let n = 0;
  for await (const ticket of deps.repos.support.tickets.scan<TicketDoc>({})) {
    await syncQueue(deps, ticket);
    if (ticket.assigneeId && ticket.status === 'OPEN') await queue.adjustLoad(ticket.assigneeId.toHexString(), 1);
    n++;
  }
  await queue.markBuilt();
  return n;
}

/** One round: returns the notices sent. */
export async function supportTick(deps: AppDeps): Promise<{ warned: number; breached: number }> {
  const queue = queueOf(deps);
  if (!(await queue.isBuilt())) await rebuildQueue(deps);
  const now = deps.services.clock.now();
  const due = await queue.dueBefore(await queue.spaces(), now.getTime() + MAX_WARN_MS);
  const tickets = await deps.repos.support.tickets.findManyByIds(due.map((d) => new Types.ObjectId(d.id)));
  let warned = 0;
  let breached = 0;
  for (const ticket of tickets) {
    const state = slaStateOf(ticket, now);
    if (state !== 'BREACHING' && state !== 'BREACHED') continue;
    const { phase, dueAt } = phaseOf(ticket);
    const notice = `${phase === 'FIRST_RESPONSE' ? 'first' : 'resolution'}:${state === 'BREACHED' ? 'breach' : 'warn'}`;
    if ((ticket.notices ?? []).includes(notice)) continue;
    const written = await deps.repos.support.tickets.updateIf(
      ticket._id,
      { updatedAt: ticket.updatedAt },
      { $addToSet: { notices: notice } },
    );
    if (written.matchedCount === 0) continue;
    await publishActivity(
      { deps },
      {
        type: state === 'BREACHED' ? 'support.breached' : 'support.breaching',
        actorId: null,
        subjectId: ticket._id.toHexString(),
        questionId: ticket._id.toHexString(),
        spaceId: ticket.spaceId.toHexString(),
        data: { phase, dueAt: dueAt?.toISOString() ?? null, assigneeId: ticket.assigneeId?.toHexString() ?? null },
      },
    );
    if (state === 'BREACHED') breached++;
    else warned++;
  }
  return { warned, breached };
}
