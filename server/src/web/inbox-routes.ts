import express, { Router } from 'express';
import { z } from 'zod';
import { ValidationError } from '../errors.js';
import { inputIssues } from '../http/validate.js';
import { pathParam } from '../http/params.js';
import type { SocialService } from '../social/social-service.js';
import type { Store } from '../store/store.js';
import { MESSAGE_MAX_CHARS, storedText } from '../store/text.js';
import type { Renderer } from './render.js';
import { messageView } from './message-view.js';
import { requireLogin } from './require-login.js';
import { formBody } from '../http/form-body.js';

const composeSchema = z.object({ text: storedText({ trim: true, min: 1, max: MESSAGE_MAX_CHARS }) });

/**
 * The person's own Glasshouse pages: inbox (threads newest first, unread marks), thread view (send,
 * delete own), friends list (start a 1:1). Forms post with CSRF tokens; all routes need a login.
 */
export function inboxRoutes(deps: {
  store: Store;
  social: SocialService;
  render: Renderer;
  csrfProtect: express.RequestHandler;
  /** Extra lines shown above a thread (e.g. which apps read it). */
  threadNotices?: (threadId: string, viewerId: string) => string[];
}): Router {
  const { store, social, render, csrfProtect, threadNotices } = deps;
  const router = Router();
  // Room for the longest message however a browser encodes it: 12 bytes per character (%F0%9F%98%80).
  const form = formBody(MESSAGE_MAX_CHARS * 12 + 1024);

  router.get('/', requireLogin, (req, res) => {
    const me = req.user!.id;
    const threads = social.threadsOf(me).map((t) => ({
      id: t.id,
      title: social.threadTitle(t, me),
      unread: social.unreadCount(me, t.id),
      preview: social.lastMessage(t.id)?.text ?? '',
    }));
    render.page(req, res, 'inbox', { title: 'Inbox', threads });
  });

  router.get('/threads/:threadId', requireLogin, async (req, res) => {
    const me = req.user!.id;
    const thread = social.threadFor(me, pathParam(req, 'threadId'));
    await social.markRead(me, thread.id);
    render.page(req, res, 'thread', {
      title: social.threadTitle(thread, me),
      thread,
      participants: thread.participantIds.map((id) => social.person(id)),
      messages: social.messagesIn(thread.id, { limit: 200 }).map((m) => messageView(store, m)),
      notices: threadNotices?.(thread.id, me) ?? [],
      maxChars: MESSAGE_MAX_CHARS,
    });
  });

  router.post('/threads/:threadId/messages', requireLogin, ...form, csrfProtect, async (req, res) => {
    const parsed = composeSchema.safeParse(req.body);
    if (!parsed.success)
      throw new ValidationError(inputIssues(parsed.error, req.body, undefined, { repeatable: true }));
    const message = await social.send(req.user!.id, pathParam(req, 'threadId'), { text: parsed.data.text });
    res.redirect(303, `/threads/${message.threadId}`);
  });

  router.post('/messages/:messageId/delete', requireLogin, ...form, csrfProtect, async (req, res) => {
    const message = await social.deleteOwn(req.user!.id, pathParam(req, 'messageId'));
    res.redirect(303, `/threads/${message.threadId}`);
  });

  router.get('/friends', requireLogin, (req, res) => {
    render.page(req, res, 'friends', { title: 'Friends', friends: social.friendsOf(req.user!.id) });
  });

  router.post('/friends/:personId/message', requireLogin, ...form, csrfProtect, async (req, res) => {
    const thread = await social.directThread(req.user!.id, pathParam(req, 'personId'));
    res.redirect(303, `/threads/${thread.id}`);
  });
  return router;
}
