import type { SocialService } from '../social/social-service.js';
import type { Message } from '../store/schema.js';
import type { Store } from '../store/store.js';
import type { Renderer } from './render.js';

/** A message as pages and inbox sockets show it: with the sender's name and the app it came through. */
export function messageView(store: Store, m: Message) {
  return {
    ...m,
    senderName: store.get('people', m.senderId)?.displayName ?? 'Someone',
    viaName: m.via ? (store.client(m.via)?.name ?? m.via) : undefined,
  };
}
export type MessageView = ReturnType<typeof messageView>;

/**
 * The one renderer of a message: `partials/message.eta`, used by the thread page and, through this
 * function, by the live inbox (the socket sends the same markup, so a live message and the reloaded
 * one are identical). The delete form's `_csrf` is left empty here; inbox.js fills in the page's
 * own token (it is per session, the same on every page of it).
 * @returns the `message:created` payload for `viewerId`: data, thread title (as the viewer names it), HTML.
 */
export function createMessagePresenter(deps: { store: Store; social: SocialService; render: Renderer }) {
  const { store, social, render } = deps;
  return (message: Message, viewerId: string) => {
    const view = messageView(store, message);
    const thread = store.get('threads', message.threadId);
    return {
      message: view,
      threadTitle: thread ? social.threadTitle(thread, viewerId) : '',
      html: render.fragment('partials/message', { m: view, csrf: '', userId: viewerId }).trim(),
    };
  };
}
