import { allPages, createGlasshouseClient } from '../../../partners/sdk/client.js';
import type { FaultRequest } from '../admin-types.js';
import type { Message } from '../../../partners/sdk/types.js';
import {
  clientFor,
  counted,
  personOf,
  quote,
  ScenarioStepError,
  type RunContext,
  type StepOutcome,
} from './context.js';
import { checkState } from './state-expectations.js';
import type { Step } from './schema.js';

type Args<K extends Step['kind']> = Extract<Step, { kind: K }>['args'];
type Executor<K extends Step['kind']> = (ctx: RunContext, args: Args<K>) => Promise<StepOutcome>;

const who = (args: { as: string; client: string }) => `${args.client}, as ${args.as},`;
const joined = (xs: string[]) => xs.join(', ') || 'nobody';

/** Finds the message a `delete` step means: by id, by text in `thread` (admin API), or among those this run sent. */
async function messageToDelete(ctx: RunContext, args: Args<'delete'>): Promise<{ id: string; label: string }> {
  if (args.message) return { id: args.message, label: args.message };
  const text = args.text!;
  // A failed lookup is the scenario's problem, not the partner's refusal: it must not pass for an expected 404.
  const candidates = args.thread
    ? await ctx.admin.threadMessages(args.thread).catch((err: unknown) => {
        throw new ScenarioStepError(
          `cannot look up messages of ${args.thread}: ${err instanceof Error ? err.message : String(err)}`,
        );
      })
    : ctx.sent;
  const found = candidates.find((m) => m.text.includes(text));
  if (!found)
    throw new ScenarioStepError(
      `no message with text ${quote(text)} ${args.thread ? `in ${args.thread}` : 'was sent by this scenario (give thread)'}`,
    );
  return { id: found.id, label: `${found.id} ${quote(found.text)} in ${found.threadId}` };
}

/** What each step kind does, through the SDK (as the partner) or the admin client (as the person or an admin). */
export const executors: { [K in Step['kind']]: Executor<K> } = {
  async authorize(ctx, args) {
    const person = personOf(ctx, args.person);
    const tokens = await ctx.admin.mintToken({
      username: person.username,
      clientId: args.client,
      scopes: args.scopes,
      ...(args.expiresIn ? { expiresIn: args.expiresIn } : {}),
    });
    // No refresh: after a revocation or shut-down the next call is a plain 401, as the steps expect.
    ctx.clients.set(
      `${person.username} ${args.client}`,
      createGlasshouseClient({ baseUrl: ctx.url, accessToken: tokens.access_token, fetch: ctx.fetch }),
    );
    return { summary: `${person.username} authorized ${args.client}: ${args.scopes.join(', ')}` };
  },

  async play(ctx, args) {
    const client = clientFor(ctx, args.as, args.client);
    const friends = (Array.isArray(args.to) ? args.to : [args.to]).map((u) => personOf(ctx, u));
    const me = personOf(ctx, args.as);
    const text = args.text ?? `${me.displayName} is playing “${args.title}”${args.artist ? ` by ${args.artist}` : ''}`;
    const nowPlaying = { kind: args.kind, title: args.title, ...(args.artist ? { artist: args.artist } : {}) };
    const sent: Message[] = [];
    for (const friend of friends) sent.push(await client.sendToPerson(friend.id, { text, nowPlaying }));
    ctx.sent.push(...sent);
    return {
      summary: `${who(args)} sent now playing ${quote(args.title)} to ${joined(friends.map((f) => f.username))} (${sent.map((m) => m.threadId).join(', ')})`,
      texts: sent.map((m) => m.text),
      count: sent.length,
    };
  },

  async send(ctx, args) {
    const client = clientFor(ctx, args.as, args.client);
    const message = args.thread
      ? await client.postMessage(args.thread, { text: args.text })
      : await client.sendToPerson(personOf(ctx, args.to!).id, { text: args.text });
    ctx.sent.push(message);
    return {
      summary: `${who(args)} sent ${quote(args.text)} to ${message.threadId} (${message.id})`,
      texts: [message.text],
      count: 1,
    };
  },

  async read(ctx, args) {
    const client = clientFor(ctx, args.as, args.client);
    if (!args.thread) {
      const threads = await allPages((page) => client.threads(page));
      return {
        summary: `${who(args)} listed ${counted(threads.length, 'thread')}: ${threads.map((t) => t.id).join(', ')}`,
        texts: threads.flatMap((t) => [t.id, ...(t.title ? [t.title] : [])]),
        count: threads.length,
      };
    }
    const messages = await allPages((page) => client.messages(args.thread!, page));
    const senders = [...new Set(messages.map((m) => m.sender.username))];
    return {
      summary: `${who(args)} read ${counted(messages.length, 'message')} of ${args.thread}, from ${joined(senders)}`,
      texts: messages.map((m) => m.text),
      usernames: senders,
      count: messages.length,
    };
  },

  async friends(ctx, args) {
    const people = await allPages((page) => clientFor(ctx, args.as, args.client).friends(page));
    const usernames = people.map((p) => p.username);
    return {
      summary: `${who(args)} saw ${counted(people.length, 'friend')}: ${joined(usernames)}`,
      usernames,
      count: people.length,
    };
  },

  async participants(ctx, args) {
    const people = await allPages((page) => clientFor(ctx, args.as, args.client).participants(args.thread, page));
    const usernames = people.map((p) => p.username);
    return {
      summary: `${who(args)} saw ${counted(people.length, 'participant')} of ${args.thread}: ${joined(usernames)}`,
      usernames,
      count: people.length,
    };
  },

  async delete(ctx, args) {
    const client = clientFor(ctx, args.as, args.client);
    const target = await messageToDelete(ctx, args);
    await client.deleteMessage(target.id);
    return { summary: `${who(args)} deleted ${target.label}`, count: 1 };
  },

  async revoke(ctx, args) {
    if (!args.person) {
      const grants = await ctx.admin.revokeTokens({ clientId: args.client });
      return { summary: `every grant of ${args.client} was revoked (${counted(grants, 'grant')})`, count: grants };
    }
    await ctx.admin.revokeGrant({ username: personOf(ctx, args.person).username, clientId: args.client });
    return { summary: `${args.person} revoked ${args.client}'s access` };
  },

  async expire(ctx, args) {
    const target = args.person
      ? { username: personOf(ctx, args.person).username, clientId: args.client }
      : { clientId: args.client };
    const expired = await ctx.admin.expireTokens(target);
    return {
      summary: `${counted(expired, 'access token')} of ${args.client}${args.person ? ` for ${args.person}` : ''} expired`,
      count: expired,
    };
  },

  async 'advance-clock'(ctx, seconds) {
    const clock = await ctx.admin.advanceClock(seconds);
    return {
      summary: `the clock moved ${seconds} s forward (now ${Math.round(clock.offsetMs / 1000)} s ahead of the wall clock)`,
    };
  },

  async fault(ctx, args) {
    const { client, ...rest } = args;
    const fault = await ctx.admin.injectFault({ clientId: client, ...rest } as FaultRequest);
    const span =
      [args.times ? `next ${counted(args.times, 'call')}` : '', args.seconds ? `${args.seconds} s` : '']
        .filter(Boolean)
        .join(', ') || 'until cleared';
    return { summary: `injected ${fault.label} for ${client} (${span})` };
  },

  async 'clear-faults'(ctx) {
    await ctx.admin.clearFaults();
    return { summary: 'every injected fault cleared' };
  },

  async 'set-policy'(ctx, mode) {
    return { summary: `policy is now ${await ctx.admin.setPolicy(mode)}` };
  },

  async shutdown(ctx, args) {
    const client = await ctx.admin.setClientStatus(args.client, 'shut_down');
    return { summary: `${client.name} was shut down` };
  },

  expect: (ctx, args) => checkState(ctx, args),
};

/** What a step sets out to do, in one line (shown when it is refused or cannot run). */
export function intentOf(step: Step): string {
  const as = (a: { as: string; client: string }) => `${a.client}, as ${a.as},`;
  switch (step.kind) {
    case 'authorize':
      return `${step.args.person} authorizes ${step.args.client}`;
    case 'play':
      return `${as(step.args)} plays ${quote(step.args.title)} to ${[step.args.to].flat().join(', ')}`;
    case 'send':
      return `${as(step.args)} sends ${quote(step.args.text)} to ${step.args.thread ?? step.args.to}`;
    case 'read':
      return step.args.thread ? `${as(step.args)} reads ${step.args.thread}` : `${as(step.args)} lists threads`;
    case 'friends':
      return `${as(step.args)} lists friends`;
    case 'participants':
      return `${as(step.args)} lists participants of ${step.args.thread}`;
    case 'delete':
      return `${as(step.args)} deletes ${step.args.message ?? quote(step.args.text!)}${step.args.thread ? ` in ${step.args.thread}` : ''}`;
    case 'revoke':
      return step.args.person
        ? `${step.args.person} revokes ${step.args.client}`
        : `every grant of ${step.args.client} is revoked`;
    case 'expire':
      return `tokens of ${step.args.client}${step.args.person ? ` for ${step.args.person}` : ''} expire`;
    case 'advance-clock':
      return `the clock moves ${step.args} s forward`;
    case 'fault':
      return `a fault (${step.args.kind}) is injected for ${step.args.client}`;
    case 'clear-faults':
      return 'faults are cleared';
    case 'set-policy':
      return `policy set to ${step.args}`;
    case 'shutdown':
      return `${step.args.client} is shut down`;
    case 'expect':
      return `check ${Object.keys(step.args).join(', ')}`;
  }
}

/** Runs one parsed step. @throws what its SDK call throws (GlasshouseApiError…), or ScenarioStepError. */
export function executeStep(ctx: RunContext, step: Step): Promise<StepOutcome> {
  return (executors[step.kind] as Executor<typeof step.kind>)(ctx, step.args as never);
}
