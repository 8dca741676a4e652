import type { Message, Person } from '../store/schema.js';
import type { Store } from '../store/store.js';
import type { MessageOut, Page } from './schemas.js';
import { messageOut } from './views.js';

/** How many messages' views are kept (≈ 0.5 KiB each): a few hundred pages of 50. */
export const MESSAGE_VIEW_CACHE_SIZE = 5000;

interface CachedView {
  /** The rows it was built from: stored rows are replaced, never changed in place (store/table.ts). */
  message: Message;
  sender: Person | undefined;
  out: MessageOut;
  /** `JSON.stringify(out)`. */
  json: string;
}

/** A page of messages as the API answers it: the body, and the same body as JSON text. */
export interface MessagePageView {
  body: Page<MessageOut>;
  /** Equal to `JSON.stringify(body)`. */
  json: string;
}

/**
 * Views of messages (`messageOut`) and their JSON text, built once per message and sender row and kept
 * for the last `capacity` messages shown, so that reading a page costs a lookup per message rather
 * than building and serializing it again (README "Performance"). A view is rebuilt when its message
 * or its sender's row was replaced since. Views are frozen: they are shared between answers.
 */
export function createMessageViews(store: Store, capacity = MESSAGE_VIEW_CACHE_SIZE) {
  const cache = new Map<string, CachedView>();

  function viewOf(message: Message): CachedView {
    const sender = store.get('people', message.senderId);
    const hit = cache.get(message.id);
    if (hit && hit.message === message && hit.sender === sender) return hit;
    const out = messageOut(store, message);
    Object.freeze(out.sender);
    const view: CachedView = { message, sender, out: Object.freeze(out), json: JSON.stringify(out) };
    cache.delete(message.id);
    cache.set(message.id, view);
    if (cache.size > capacity) cache.delete(cache.keys().next().value!);
    return view;
  }

  return {
    /** `messageOut(store, message)`, shared and frozen. */
    out: (message: Message): MessageOut => viewOf(message).out,
    /** A page of messages as the body and its JSON text, the text made of each message's kept text. */
    page(page: Page<Message>): MessagePageView {
      const views = page.items.map(viewOf);
      const body: Page<MessageOut> = { ...page, items: views.map((v) => v.out) };
      // `items` is the body's first key: its text is `{"items":[` + the items + the rest of the shell.
      const shell = JSON.stringify({ ...body, items: [] });
      const head = '{"items":[';
      if (!shell.startsWith(`${head}]`)) throw new Error('a page body must begin with its items');
      return { body, json: `${head}${views.map((v) => v.json).join(',')}${shell.slice(head.length)}` };
    },
  };
}

export type MessageViews = ReturnType<typeof createMessageViews>;
