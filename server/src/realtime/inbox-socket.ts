import type { Server } from 'socket.io';
import type { EventBus } from '../events.js';
import type { Store } from '../store/store.js';
import type { SocialService } from '../social/social-service.js';
import { messageView, type MessageView } from '../social/message-view.js';

/** Events a logged-in browser receives on the default namespace (its own inbox only). */
export interface InboxServerToClient {
  'message:created': (payload: { message: MessageView; threadTitle: string }) => void;
  'message:deleted': (payload: { messageId: string; threadId: string }) => void;
}

const personRoom = (personId: string) => `person:${personId}`;

/**
 * The live inbox. The handshake carries the platform session (wired in createPlatform); a socket
 * without a logged-in person is refused. Each socket joins its person's room only, and events go to
 * the rooms of the thread's participants, so nobody receives another thread's messages.
 */
export function attachInboxSocket(io: Server, deps: { events: EventBus; store: Store; social: SocialService }): () => void {
  const inbox = io.of('/') as unknown as import('socket.io').Namespace<Record<string, never>, InboxServerToClient>;
  inbox.use((socket, next) => {
    const user = socket.request.user;
    if (!user) return next(new Error('login required'));
    next();
  });
  inbox.on('connection', (socket) => {
    void socket.join(personRoom(socket.request.user!.id));
  });
  const offCreated = deps.events.on('message.created', ({ message, participantIds }) => {
    const view = messageView(deps.store, message);
    const thread = deps.store.get('threads', message.threadId);
    for (const pid of participantIds) {
      inbox.to(personRoom(pid)).emit('message:created', { message: view, threadTitle: thread ? deps.social.threadTitle(thread, pid) : '' });
    }
  });
  const offDeleted = deps.events.on('message.deleted', ({ message, participantIds }) => {
    inbox.to(participantIds.map(personRoom)).emit('message:deleted', { messageId: message.id, threadId: message.threadId });
  });
  return () => {
    offCreated();
    offDeleted();
  };
}

/** Disconnects every inbox socket of a person (after logout). */
export function disconnectPerson(io: Server, personId: string): void {
  io.of('/').in(personRoom(personId)).disconnectSockets(true);
}
