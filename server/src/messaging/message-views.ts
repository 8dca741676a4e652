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
  /** `json`'s length in UTF-8 bytes. */
  bytes: number;
}

/** A page of messages as the API answers it: the body, and the same body as JSON. */
export interface MessagePageView {
  body: Page<MessageOut>;
  /** `JSON.stringify(body)` in UTF-8. */
  json: Buffer;
}

const PAGE_HEAD = '{"items":[';
const COMMA = 0x2c;

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
    const json = JSON.stringify(out);
    const view: CachedView = { message, sender, out: Object.freeze(out), json, bytes: Buffer.byteLength(json) };
    cache.delete(message.id);
    cache.set(message.id, view);
    if (cache.size > capacity) cache.delete(cache.keys().next().value!);
    return view;
  }

  return {
    /** `messageOut(store, message)`, shared and frozen. */
    out: (message: Message): MessageOut => viewOf(message).out,
    /**
     * A page of messages as the body and its JSON, written from each message's kept text straight
     * into the bytes sent: no page-sized string is built and then encoded (README "Performance").
     */
    page(page: Page<Message>): MessagePageView {
      const views = page.items.map(viewOf);
      const body: Page<MessageOut> = { ...page, items: views.map((v) => v.out) };
      // `items` is the body's first key: its text is `{"items":[` + the items + the rest of the shell.
      const shell = JSON.stringify({ ...body, items: [] });
      if (!shell.startsWith(`${PAGE_HEAD}]`)) throw new Error('a page body must begin with its items');
      const tail = shell.slice(PAGE_HEAD.length);
      let size = PAGE_HEAD.length + Buffer.byteLength(tail) + Math.max(0, views.length - 1);
      for (const v of views) size += v.bytes;
      const json = Buffer.allocUnsafe(size);
      let at = json.write(PAGE_HEAD, 0);
      views.forEach((v, i) => {
        if (i > 0) json[at++] = COMMA;
        at += json.write(v.json, at);
      });
      at += json.write(tail, at);
      if (at !== size) throw new Error(`a page's JSON took ${at} bytes, not the ${size} counted`);
      return { body, json };
    },
  };
}

export type MessageViews = ReturnType<typeof createMessageViews>;
