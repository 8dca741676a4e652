import type { Logger } from 'pino';
import type { Namespace, Server, Socket } from 'socket.io';
import type { EventBus } from '../events.js';
import type { OriginPolicy } from '../http/origin-policy.js';
import type { SocialService } from '../social/social-service.js';
import type { Message } from '../store/schema.js';
import type { Store } from '../store/store.js';
import { answerUnknownEvents, onKnownEvent } from './catch-all.js';
import { CATCH_UP_EVENT, inboxCatchUp, type CatchUpAck, type InboxMessageEvent } from './inbox-catch-up.js';
import { bindSocketsToSessions, currentSession, type SessionEndedEvents } from './session-sockets.js';

/** Events a logged-in browser receives on the default namespace (its own inbox only). */
export interface InboxServerToClient extends SessionEndedEvents {
  /** `html` is the same `partials/message.eta` markup the thread page renders, for this viewer. */
  'message:created': (payload: InboxMessageEvent) => void;
  'message:deleted': (payload: { messageId: string; threadId: string }) => void;
}
/** What the page may ask: the messages it missed while disconnected (inbox-catch-up.ts). */
export interface InboxClientToServer {
  [CATCH_UP_EVENT]: (query: unknown, ack: (answer: CatchUpAck) => void) => void;
}
type InboxNamespace = Namespace<InboxClientToServer, InboxServerToClient>;

export interface InboxSocketDeps {
  events: EventBus;
  store: Store;
  social: SocialService;
  origins: OriginPolicy;
  logger: Logger;
  /** The event payload for `message` as `viewerId` sees it (view data + rendered partial). */
  present: (message: Message, viewerId: string) => InboxMessageEvent;
}

const personRoom = (personId: string) => `person:${personId}`;

/**
 * The live inbox. The handshake carries the platform session (wired in createPlatform) and must come
 * from an allowed origin (http/origin-policy.ts, else `connect_error` "forbidden_origin"); a socket
 * without a logged-in person is refused ("login required"), and so is one whose page was rendered for
 * another person (`auth: { personId }` differs: "session_changed"). Each socket joins its person's
 * room only, and events go to the rooms of the thread's participants, so nobody receives another
 * thread's messages. Sockets close with their session (session-sockets.ts).
 * @returns the function that unsubscribes from the event bus.
 */
export function attachInboxSocket(io: Server, deps: InboxSocketDeps): () => void {
  const { events, store, social, origins, logger, present } = deps;
  const inbox = io.of('/') as unknown as InboxNamespace;
  inbox.use((socket, next) => {
    const refused = origins.checkHandshake(socket.request);
    if (refused) return next(refused);
    const user = socket.request.user;
    if (!user) return next(new Error('login required'));
    const expected = (socket.handshake.auth as { personId?: unknown } | undefined)?.personId;
    if (expected !== undefined && expected !== user.id) return next(new Error('session_changed'));
    // A recovered socket keeps its rooms: only ever the person it was first opened for.
    const previous = (socket.data as { personId?: string } | undefined)?.personId;
    if (socket.recovered && previous !== user.id) return next(new Error('session_changed'));
    // The connection's handshake read the session once: a namespace joined later asks the store again.
    void currentSession(socket as unknown as Socket).then((session) => {
      if (session?.passport?.user !== user.id) return next(new Error('login required'));
      socket.data = { personId: user.id };
      next();
    });
  });
  inbox.on('connection', (socket) => {
    const me = socket.request.user!.id;
    void socket.join(personRoom(me));
    answerUnknownEvents(socket as unknown as Socket, [CATCH_UP_EVENT], logger);
    onKnownEvent(socket as unknown as Socket, CATCH_UP_EVENT, 1, logger, ([query], ack) =>
      inboxCatchUp({ store, social, logger, present }, socket as unknown as Socket, me, query, ack),
    );
  });
  const offs = [
    bindSocketsToSessions(inbox as unknown as Namespace, events),
    events.on('message.created', ({ message, participantIds }) => {
      // Only for people with an inbox open: nothing rendered, and no copy kept two minutes for
      // connection-state recovery, for nobody. A page that (re)connects later asks `messages:since`
      // (README "Catch-up after a reconnect"), which brings what it missed.
      for (const pid of participantIds) {
        if (!inbox.adapter.rooms.get(personRoom(pid))?.size) continue;
        inbox.to(personRoom(pid)).emit('message:created', present(message, pid));
      }
    }),
    events.on('message.deleted', ({ message, participantIds }) => {
      inbox
        .to(participantIds.map(personRoom))
        .emit('message:deleted', { messageId: message.id, threadId: message.threadId });
    }),
  ];
  return () => {
    for (const off of offs) off();
  };
}
