import express, { type Router } from 'express';
import { z } from 'zod';
import type { AppServices } from '../../app.ts';
import { hiddenFrom, ticketFor, type ActionOutcome } from '../../handoff/desk.ts';
import { channelName } from '../../handoff/messages.ts';
import { TICKET_STATUSES, type Ticket } from '../../handoff/ticket.ts';
import { maskDeep } from '../../privacy.ts';
import { callerWorker, type Caller } from '../auth.ts';
import { HttpError, route, validate } from '../errors.ts';

const listQuery = z.object({
  status: z.union([z.enum(TICKET_STATUSES), z.array(z.enum(TICKET_STATUSES))]).optional(),
  community: z.string().max(64).optional(),
  assignee: z.string().max(64).optional(),
});
const idParam = z.coerce.number().int().min(1);
const replyBody = z.object({ text: z.string().trim().min(1).max(2000) });
const transferBody = z.object({ worker: z.string().trim().min(1).max(64) });

/** Tickets for signed-in workers (their community only) and district staff. */
export function ticketRoutes(app: AppServices, requireStaff: express.RequestHandler): Router {
  const router = express.Router();
  const roster = () => app.roster.roster;

  const visible = async (caller: Caller | undefined, id: number): Promise<Ticket> => {
    const ticket = await app.tickets.get(id);
    if (!ticket) throw new HttpError(404, 'not_found', `没有找到工单 #${id}。`);
    const worker = callerWorker(caller, roster());
    if (worker && worker.community !== ticket.community) throw new HttpError(403, 'forbidden', '这张工单不属于你所在的社区。');
    if (worker && hiddenFrom(ticket, worker.id, roster(), app.categories)) throw new HttpError(403, 'forbidden', '这张工单只有社区负责人和承办人可以查看。');
    return ticket;
  };
  const view = (caller: Caller | undefined, ticket: Ticket) => {
    const worker = callerWorker(caller, roster());
    // District staff see what supervisors see; a worker sees personal numbers on their own tickets.
    return caller?.kind === 'admin-token' || caller?.session.role === 'admin' ? ticket : ticketFor(ticket, { workerId: worker?.id, roster: roster() });
  };
  /** What the console shows beside the ticket's ids: the names people use. */
  const named = (ticket: Ticket) => ({
    assigneeName: ticket.assignee ? (roster().worker(ticket.assignee)?.name ?? ticket.assignee) : null,
    categoryLabel: app.categories.label(ticket.category),
    communityName: roster().community(ticket.community)?.name ?? ticket.community,
    channelName: channelName(ticket.requester.channel),
  });

  router.get(
    '/api/tickets',
    requireStaff,
    route(async (req, res) => {
      const query = validate(listQuery, req.query);
      const worker = callerWorker(req.caller, roster());
      if (worker && query.community && query.community !== worker.community) throw new HttpError(403, 'forbidden', '你只能查看本社区的工单。');
      const community = worker?.community ?? query.community;
      const tickets = await app.tickets.list({
        ...(query.status && { status: Array.isArray(query.status) ? query.status : [query.status] }),
        ...(community !== undefined && { community }),
        ...(query.assignee && { assignee: query.assignee }),
      });
      const shown = worker ? tickets.filter((ticket) => !hiddenFrom(ticket, worker.id, roster(), app.categories)) : tickets;
      res.json({ tickets: shown.map((ticket) => ({ ...view(req.caller, ticket), ...named(ticket) })) });
    }),
  );

  router.get(
    '/api/tickets/:id',
    requireStaff,
    route(async (req, res) => {
      const ticket = await visible(req.caller, validate(idParam, req.params.id));
      const shown = view(req.caller, ticket);
      const events = await app.tickets.events(ticket.id);
      const actors = events.map((event) => ({ ...event, actorName: roster().worker(event.actor)?.name ?? ({ requester: ticket.requester.userName, system: '系统' } as Record<string, string>)[event.actor] ?? event.actor }));
      res.json({ ...shown, ...named(ticket), events: shown === ticket ? actors : actors.map((event) => ({ ...event, detail: maskDeep(event.detail) })) });
    }),
  );

  /** The worker an action is done as: the signed-in worker, or for district staff the community's supervisor. */
  const actor = (caller: Caller | undefined, ticket: Ticket): string => {
    const worker = callerWorker(caller, roster());
    if (worker) return worker.id;
    const supervisor = roster().supervisorOf(ticket.community);
    if (!supervisor) throw new HttpError(409, 'no_supervisor', '这个社区没有负责人，无法代为操作。');
    return supervisor.id;
  };
  const respond = (res: express.Response, outcome: ActionOutcome) => {
    if (!outcome.ok) throw new HttpError(409, 'not_allowed', outcome.message);
    res.json({ message: outcome.message, ticket: outcome.ticket });
  };

  router.post('/api/tickets/:id/accept', requireStaff, route(async (req, res) => {
    const ticket = await visible(req.caller, validate(idParam, req.params.id));
    respond(res, await app.desk.accept(ticket.id, actor(req.caller, ticket)));
  }));
  router.post('/api/tickets/:id/reply', requireStaff, express.json({ limit: '16kb' }), route(async (req, res) => {
    const ticket = await visible(req.caller, validate(idParam, req.params.id));
    respond(res, await app.desk.reply(ticket.id, actor(req.caller, ticket), validate(replyBody, req.body).text));
  }));
  router.post('/api/tickets/:id/transfer', requireStaff, express.json({ limit: '4kb' }), route(async (req, res) => {
    const ticket = await visible(req.caller, validate(idParam, req.params.id));
    respond(res, await app.desk.transfer(ticket.id, actor(req.caller, ticket), validate(transferBody, req.body).worker));
  }));
  router.post('/api/tickets/:id/resolve', requireStaff, route(async (req, res) => {
    const ticket = await visible(req.caller, validate(idParam, req.params.id));
    respond(res, await app.desk.resolve(ticket.id, actor(req.caller, ticket)));
  }));
  return router;
}
