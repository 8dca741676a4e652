import express, { Router } from 'express';
import { z } from 'zod';
import { allPages, GlasshouseApiError, type GlasshouseClient, type Person, type Thread } from '../sdk/index.js';
import type { Accounts } from './accounts.js';
import type { Kept } from './kept.js';
import { PartnerFailure } from './failures.js';
import { partnerForm } from './form-body.js';
import { currentUser, type Renderer } from './render.js';
import { requireUser } from './require-user.js';

const threadIdSchema = z.string().min(1).max(100);
const deleteSchema = z.object({ threadId: threadIdSchema });

/** Messages per page on the thread view. */
const PAGE_SIZE = 50;

/** "12 Jan 2026, 09:40" (UTC) of ms since epoch. */
function when(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

/** How the partner can name a thread: the group title; a 1:1 is named by its participants, if seen. */
function titleOf(thread: Thread | undefined, me: string, participants?: Person[]): string {
  if (thread?.title) return thread.title;
  const others = participants?.filter((p) => p.id !== me).map((p) => p.displayName) ?? [];
  return others.length ? `With ${others.join(', ')}` : 'A 1:1 conversation';
}

/** Everyone on a thread, or `undefined` when the scope or the policy does not allow it (403/404). */
async function participantsOrNothing(client: GlasshouseClient, threadId: string): Promise<Person[] | undefined> {
  try {
    return await allPages((p) => client.participants(threadId, p));
  } catch (err) {
    if (err instanceof GlasshouseApiError && (err.status === 403 || err.status === 404)) return undefined;
    throw err;
  }
}

/**
 * "What we can see": the person's threads, a thread's messages (paged back in time with `before`)
 * and participants, and a delete button per message — exactly what the granted scopes let this
 * partner do, shown as a demonstration. Every read here is an API call the platform logs, and every
 * message read is copied into `kept` ("What we kept about you").
 */
export function seenRoutes(deps: {
  accounts: Accounts;
  kept: Kept;
  render: Renderer;
  csrfProtect: express.RequestHandler;
  self: { clientId: string; name: string };
}): Router {
  const { accounts, kept, render, csrfProtect, self } = deps;
  // The platform names the app a message came through by its client id; people read its name.
  const viaName = (via: string | undefined) => (via === self.clientId ? self.name : via);
  const router = Router();

  router.get('/seen', requireUser, async (req, res) => {
    const user = currentUser(req)!;
    const client = accounts.client(user.id);
    const threads = await allPages((page) => client.threads(page));
    // A 1:1 thread has no title in the API: the partner names it after its participants.
    const people = await Promise.all(
      threads.map((t) => (t.kind === 'direct' ? participantsOrNothing(client, t.id) : undefined)),
    );
    await render.page(req, res, 'seen', {
      title: 'What we can see',
      threads: threads.map((t, i) => ({
        id: t.id,
        title: titleOf(t, user.id, people[i]),
        group: t.kind === 'group',
        messageCount: t.messageCount,
        lastActivity: when(t.lastActivityAt),
      })),
    });
  });

  router.get('/seen/threads/:threadId', requireUser, async (req, res) => {
    const user = currentUser(req)!;
    const client = accounts.client(user.id);
    const threadId = threadIdSchema.parse(req.params['threadId']);
    const before = typeof req.query['before'] === 'string' ? req.query['before'] : undefined;
    const page = await client.messages(threadId, { limit: PAGE_SIZE, ...(before ? { before } : {}) });
    kept.record(user.id, page.items);
    // Participants need `threads:participants` (and the policy's leave): without, the page still shows messages.
    let participants: Person[] | undefined;
    let participantsRefused: string | undefined;
    try {
      participants = await allPages((p) => client.participants(threadId, p));
      accounts.learnNames(user.id, participants);
    } catch (err) {
      if (!(err instanceof GlasshouseApiError) || (err.status !== 403 && err.status !== 404)) throw err;
      participantsRefused = err.problem.detail;
    }
    const thread = (await allPages((p) => client.threads(p))).find((t) => t.id === threadId);
    await render.page(req, res, 'seen-thread', {
      title: titleOf(thread, user.id, participants),
      threadId,
      participants,
      participantsRefused,
      // The API pages newest first; a conversation reads oldest first.
      messages: [...page.items]
        .reverse()
        .map((m) => ({ ...m, via: viaName(m.via), mine: m.sender.id === user.id, when: when(m.createdAt) })),
      olderUrl: page.nextCursor
        ? `/seen/threads/${encodeURIComponent(threadId)}?before=${encodeURIComponent(page.nextCursor)}`
        : undefined,
      deleted: req.query['deleted'] === '1',
    });
  });

  router.post('/seen/messages/:messageId/delete', requireUser, ...partnerForm('4kb'), csrfProtect, async (req, res) => {
    const user = currentUser(req)!;
    const { threadId } = deleteSchema.parse(req.body ?? {});
    try {
      await accounts.client(user.id).deleteMessage(String(req.params['messageId']));
    } catch (err) {
      if (err instanceof GlasshouseApiError && err.code === 'forbidden_by_policy') {
        throw new PartnerFailure(
          'forbidden_by_policy',
          'Under the least-privilege policy, {name} may only delete messages it sent for you.',
        );
      }
      throw err;
    }
    res.redirect(303, `/seen/threads/${encodeURIComponent(threadId)}?deleted=1`);
  });

  return router;
}
