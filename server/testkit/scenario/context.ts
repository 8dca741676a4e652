import type { AdminClient } from '../admin-client.js';
import type { AdminPerson } from '../admin-types.js';
import type { GlasshouseClient } from '../../../partners/sdk/client.js';

/** A problem of the scenario itself while it runs (a person it names does not exist, no token yet…). */
export class ScenarioStepError extends Error {
  override name = 'ScenarioStepError';
}

/** What a step produced, for its summary and its `expect`. */
export interface StepOutcome {
  /** One line saying what happened, e.g. `tunewave, as alice, read 5 messages of g_weekend`. */
  summary: string;
  /** Texts to match `contains` / `notContains` against (message texts; thread ids and titles). */
  texts?: string[];
  /** Usernames to match `includes` against. */
  usernames?: string[];
  /** Items returned or sent, for `count`. */
  count?: number;
  /** Assertions that did not hold (an `expect` step's); the step fails when there is any. */
  failures?: string[];
}

/** What the steps of one run share. Built by `runScenario`. */
export interface RunContext {
  /** Platform root, e.g. http://127.0.0.1:40123. */
  url: string;
  admin: AdminClient;
  /** `fetch` that remembers the status of the last answer (`lastStatus`). */
  fetch: typeof fetch;
  lastStatus: number | undefined;
  /** Every person of the world, by username (GET /admin/people at the start). */
  people: Map<string, AdminPerson>;
  /** Clients of `authorize` steps, by `${username} ${clientId}`. */
  clients: Map<string, GlasshouseClient>;
  /** Messages this run sent: id and text, to delete by text. */
  sent: { id: string; threadId: string; text: string }[];
  /** Access-log entry ids that existed before the run (ignored by `expect.accessLog`). */
  earlierAccesses: Set<string>;
}

/** The person with `username`. @throws ScenarioStepError when the world has no such person. */
export function personOf(ctx: RunContext, username: string): AdminPerson {
  const person = ctx.people.get(username.toLowerCase());
  if (!person) throw new ScenarioStepError(`unknown person "${username}"`);
  return person;
}

/** The username of a person id (the id itself when unknown). */
export function usernameOf(ctx: RunContext, personId: string): string {
  for (const person of ctx.people.values()) if (person.id === personId) return person.username;
  return personId;
}

/** The client an `authorize` step made for (`username`, `clientId`). @throws ScenarioStepError when none did. */
export function clientFor(ctx: RunContext, username: string, clientId: string): GlasshouseClient {
  const client = ctx.clients.get(`${username.toLowerCase()} ${clientId}`);
  if (!client)
    throw new ScenarioStepError(
      `${username} has not authorized ${clientId} in this scenario (add an authorize step before)`,
    );
  return client;
}

/** `"Please no peanuts, I am…"`: a text quoted and cut to `max` characters for summaries. */
export function quote(text: string, max = 40): string {
  return `"${text.length > max ? `${text.slice(0, max - 1)}…` : text}"`;
}

/** `1 thread`, `4 threads`, `1 entry`, `0 entries`: a count with its noun. */
export function counted(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}
