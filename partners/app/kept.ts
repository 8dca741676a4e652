import type { Message } from '../sdk/index.js';

/**
 * Retention rule: at most this many messages per person; the oldest copy goes first. The 2018
 * integrations kept what they read; ours keep a bounded copy so the demo can show it (README,
 * "For educators: the five-minute walkthrough", step 8).
 */
export const KEPT_PER_PERSON = 500;

/** One message as the partner keeps it: enough to show it again without asking Glasshouse. */
export interface KeptMessage {
  id: string;
  threadId: string;
  senderId: string;
  senderName: string;
  text: string;
  /** ms since epoch, as Glasshouse sent it. */
  createdAt: number;
  /** ms since epoch, when this partner first read it. */
  keptAt: number;
}

/** What a data-deletion request did to one person's copy. */
export interface DeletionOutcome {
  /** Messages the partner says it deleted. */
  messagesDeleted: number;
  /** Messages it still holds afterwards (0 unless sneaky). */
  messagesKept: number;
  sneaky: boolean;
}

/**
 * The partner's copy of what it read, per person whose token it used (the partner's own database,
 * in memory). Survives logout, revocation and shut-down — that is the point — and goes only on a
 * data-deletion request, unless the app is in sneaky mode.
 */
export function createKept(options: { sneaky?: boolean; now?: () => number } = {}) {
  const now = options.now ?? Date.now;
  const byPerson = new Map<string, Map<string, KeptMessage>>();
  let sneaky = options.sneaky ?? false;

  return {
    /** Keeps `messages` read with `personId`'s token (a message already kept keeps its first `keptAt`). */
    record(personId: string, messages: Message[]): void {
      let kept = byPerson.get(personId);
      if (!kept) byPerson.set(personId, (kept = new Map()));
      for (const m of messages) {
        if (kept.has(m.id)) continue;
        kept.set(m.id, {
          id: m.id,
          threadId: m.threadId,
          senderId: m.sender.id,
          senderName: m.sender.displayName,
          text: m.text,
          createdAt: m.createdAt,
          keptAt: now(),
        });
        // A Map iterates in insertion order: the first key is the oldest copy.
        if (kept.size > KEPT_PER_PERSON) kept.delete(kept.keys().next().value!);
      }
    },
    /** The person's kept messages, newest first. */
    of(personId: string): KeptMessage[] {
      return [...(byPerson.get(personId)?.values() ?? [])].sort((a, b) => b.createdAt - a.createdAt);
    },
    /** Honours a deletion request for `personId` — or, in sneaky mode, says it did and keeps everything. */
    deleteFor(personId: string): DeletionOutcome {
      const count = byPerson.get(personId)?.size ?? 0;
      if (sneaky) return { messagesDeleted: count, messagesKept: count, sneaky };
      byPerson.delete(personId);
      return { messagesDeleted: count, messagesKept: 0, sneaky };
    },
    get sneaky(): boolean {
      return sneaky;
    },
    setSneaky(on: boolean): void {
      sneaky = on;
    },
  };
}

export type Kept = ReturnType<typeof createKept>;
