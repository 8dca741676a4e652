import express, { Router } from 'express';
import { z } from 'zod';
import { GlasshouseApiError, type Person } from '../sdk/index.js';
import type { Accounts } from './accounts.js';
import { currentUser, type Renderer } from './render.js';
import { requireUser } from './require-user.js';

const threadIdSchema = z.string().min(1).max(200);
const deleteSchema = z.object({ threadId: threadIdSchema });

/** Messages per page on the thread view. */
const PAGE_SIZE = 50;

/** A thread's title as the partner can name it: the group title, else the other people's names. */
function titleOf(thread: { id: string; title?: string | undefined; participantIds?: string[] | undefined }, me: string, names: Map<string, string>): string {
  if (thread.title) return thread.title;
  const others = (thread.participantIds ?? []).filter((id) => id !== me).map((id) => names.get(id) ?? 'someone');
  return others.length ? `With ${others.join(', ')}` : 'A conversation';
}

/**
 * "What we can see": the person's threads, a thread's messages (paged backwards with `before`) and
 * participants, and a delete button per message — exactly what the granted scopes let this partner
 * do, shown as a demonstration. Every read here is an API call the platform logs.
 */
export function seenRoutes(deps: { accounts: Accounts; render: Renderer; csrfProtect: express.RequestHandler }): Router {
  const { accounts, render, csrfProtect } = deps;
  const router = Router();

  router.get('/seen', requireUser, async (req, res) => {
    const user = currentUser(req)!;
    const threads = await accounts.client(user.id).threads();
    const names = accounts.get(user.id)?.names ?? new Map<string, string>();
    render.page(req, res, 'seen', {
      title: 'What we can see',
      threads: threads.map((t) => ({ id: t.id, title: titleOf(t, user.id, names), group: t.kind === 'group', people: t.participantIds?.length })),
    });
  });

  router.get('/seen/threads/:threadId', requireUser, async (req, res) => {
    const user = currentUser(req)!;
    const client = accounts.client(user.id);
    const threadId = threadIdSchema.parse(req.params['threadId']);
    const before = typeof req.query['before'] === 'string' ? req.query['before'] : undefined;
    const page = await client.messages(threadId, { limit: PAGE_SIZE, ...(before ? { before } : {}) });
    // Participants need `threads:participants`; the page still shows the messages without it.
    let participants: Person[] | undefined;
    let participantsRefused: string | undefined;
    try {
      participants = await client.participants(threadId);
      accounts.learnNames(user.id, participants);
    } catch (err) {
      if (!(err instanceof GlasshouseApiError) || (err.status !== 403 && err.status !== 404)) throw err;
      participantsRefused = err.problem.detail;
    }
    const names = accounts.get(user.id)?.names ?? new Map<string, string>();
    const thread = (await client.threads()).find((t) => t.id === threadId);
    render.page(req, res, 'seen-thread', {
      title: thread ? titleOf(thread, user.id, names) : 'Thread',
      threadId,
      participants,
      participantsRefused,
      messages: page.messages.map((m) => ({ ...m, senderName: m.senderName ?? names.get(m.senderId) ?? m.senderId, mine: m.senderId === user.id })),
      olderUrl: page.nextBefore ? `/seen/threads/${encodeURIComponent(threadId)}?before=${encodeURIComponent(page.nextBefore)}` : undefined,
      deleted: req.query['deleted'] === '1',
    });
  });

  router.post('/seen/messages/:messageId/delete', requireUser, express.urlencoded({ extended: false, limit: '4kb' }), csrfProtect, async (req, res) => {
    const user = currentUser(req)!;
    const { threadId } = deleteSchema.parse(req.body ?? {});
    await accounts.client(user.id).deleteMessage(String(req.params['messageId']));
    res.redirect(303, `/seen/threads/${encodeURIComponent(threadId)}?deleted=1`);
  });

  return router;
}
