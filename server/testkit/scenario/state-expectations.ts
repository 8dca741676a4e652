import type { ClientExposure } from '../admin-types.js';
import { counted, personOf, usernameOf, type RunContext, type StepOutcome } from './context.js';
import type { Step } from './schema.js';

type ExpectArgs = Extract<Step, { kind: 'expect' }>['args'];
type Exposure = NonNullable<ExpectArgs['exposure']>;
type Members = NonNullable<Exposure['peopleSeen']>;
type Amount = NonNullable<Exposure['messagesRead']>;

/** Failures of a number against an exact value or `{ min, max }`. */
function checkAmount(label: string, actual: number, wanted: Amount): string[] {
  if (typeof wanted === 'number') return actual === wanted ? [] : [`${label}: expected ${wanted}, got ${actual}`];
  const failures: string[] = [];
  if (wanted.min !== undefined && actual < wanted.min)
    failures.push(`${label}: expected at least ${wanted.min}, got ${actual}`);
  if (wanted.max !== undefined && actual > wanted.max)
    failures.push(`${label}: expected at most ${wanted.max}, got ${actual}`);
  return failures;
}

/** Failures of a list (usernames or thread ids) against a count, exact members, or bounds with `includes` and `excludes`. */
function checkMembers(label: string, actual: string[], wanted: Members): string[] {
  const has = actual.join(', ') || 'none';
  if (Array.isArray(wanted)) {
    const same = wanted.length === actual.length && wanted.every((x) => actual.includes(x));
    return same ? [] : [`${label}: expected exactly ${wanted.join(', ') || 'none'}, got ${has}`];
  }
  const failures = checkAmount(
    `${label} (${has})`,
    actual.length,
    typeof wanted === 'number' ? wanted : { min: wanted.min, max: wanted.max },
  );
  if (typeof wanted === 'number') return failures;
  const missing = (wanted.includes ?? []).filter((x) => !actual.includes(x));
  const present = (wanted.excludes ?? []).filter((x) => actual.includes(x));
  if (missing.length) failures.push(`${label}: missing ${missing.join(', ')} (has ${has})`);
  if (present.length) failures.push(`${label}: should not include ${present.join(', ')}`);
  return failures;
}

/** Failures of texts that must (not) be found as substrings among `haystack`. */
export function checkTexts(
  label: string,
  haystack: string[],
  contains: string[] = [],
  notContains: string[] = [],
): string[] {
  const has = (needle: string) => haystack.some((text) => text.includes(needle));
  return [
    ...contains.filter((t) => !has(t)).map((t) => `${label}: "${t}" not found`),
    ...notContains.filter(has).map((t) => `${label}: "${t}" found, but should not be`),
  ];
}

async function checkAccessLog(
  ctx: RunContext,
  wanted: NonNullable<ExpectArgs['accessLog']>,
): Promise<{ summary: string; failures: string[] }> {
  const all = await ctx.admin.accessLog({
    limit: 10_000,
    ...(wanted.client ? { clientId: wanted.client } : {}),
    ...(wanted.owner ? { ownerId: personOf(ctx, wanted.owner).id } : {}),
    ...(wanted.action ? { action: wanted.action } : {}),
  });
  const entries = all.filter(
    (e) => !ctx.earlierAccesses.has(e.id) && (!wanted.thread || e.threadIds.includes(wanted.thread)),
  );
  const bystanders = [...new Set(entries.flatMap((e) => e.bystanders))].map((id) => usernameOf(ctx, id));
  const label = `access log${wanted.client ? ` of ${wanted.client}` : ''}${wanted.owner ? ` for ${wanted.owner}` : ''}${wanted.action ? ` (${wanted.action})` : ''}${wanted.thread ? ` on ${wanted.thread}` : ''}`;
  const failures = checkAmount(`${label}: entries`, entries.length, { min: wanted.minCount, max: wanted.maxCount });
  if (wanted.count !== undefined) failures.push(...checkAmount(`${label}: entries`, entries.length, wanted.count));
  if (wanted.bystanders)
    failures.push(...checkMembers(`${label}: bystanders`, bystanders, { includes: wanted.bystanders }));
  return {
    summary: `${label}: ${counted(entries.length, 'entry', 'entries')}, bystanders ${bystanders.join(', ') || 'none'}`,
    failures,
  };
}

async function checkExposure(ctx: RunContext, wanted: Exposure): Promise<{ summary: string; failures: string[] }> {
  const [exposure] = await ctx.admin.exposure({ clientId: wanted.client });
  const x = exposure as ClientExposure;
  const names = (people: { username: string }[]) => people.map((p) => p.username);
  const lists = {
    authorizedPeople: names(x.authorizedPeople),
    peopleSeen: names(x.peopleSeen),
    bystanders: names(x.bystanders),
    threads: x.threads,
  };
  const numbers = {
    messagesRead: x.messagesRead,
    messagesWritten: x.messagesWritten,
    messagesDeleted: x.messagesDeleted,
  };
  const failures: string[] = [];
  for (const key of Object.keys(lists) as (keyof typeof lists)[]) {
    const want = wanted[key];
    if (want !== undefined) failures.push(...checkMembers(`${wanted.client} ${key}`, lists[key], want));
  }
  for (const key of Object.keys(numbers) as (keyof typeof numbers)[]) {
    const want = wanted[key];
    if (want !== undefined) failures.push(...checkAmount(`${wanted.client} ${key}`, numbers[key], want));
  }
  const summary =
    `exposure of ${wanted.client}: authorized by ${lists.authorizedPeople.join(', ') || 'nobody'}; saw ${counted(lists.peopleSeen.length, 'person', 'people')}, ` +
    `${counted(lists.bystanders.length, 'bystander')} (${lists.bystanders.join(', ') || 'none'}); read ${x.messagesRead}, wrote ${x.messagesWritten}, ` +
    `deleted ${counted(x.messagesDeleted, 'message')} in ${counted(x.threads.length, 'thread')}`;
  return { summary, failures };
}

async function checkMessages(
  ctx: RunContext,
  wanted: NonNullable<ExpectArgs['messages']>,
): Promise<{ summary: string; failures: string[] }> {
  const messages = await ctx.admin.threadMessages(wanted.thread);
  const label = `${wanted.thread} messages`;
  const titles = messages.flatMap((m) => (m.nowPlaying ? [m.nowPlaying.title] : []));
  const failures = [
    ...checkTexts(
      label,
      messages.map((m) => m.text),
      wanted.contains,
      wanted.notContains,
    ),
    ...(wanted.nowPlaying ?? [])
      .filter((t) => !titles.includes(t))
      .map((t) => `${label}: no now-playing card "${t}" (cards: ${titles.join(', ') || 'none'})`),
    ...(wanted.count === undefined ? [] : checkAmount(label, messages.length, wanted.count)),
  ];
  return {
    summary: `${wanted.thread} holds ${counted(messages.length, 'message')}${titles.length ? `, now playing: ${titles.join(', ')}` : ''}`,
    failures,
  };
}

/**
 * An `expect` step: the access log (entries made during this run), a client's exposure (since the
 * last reset) and a thread's messages, read through the admin API.
 */
export async function checkState(ctx: RunContext, args: ExpectArgs): Promise<StepOutcome> {
  const parts = [
    ...(args.accessLog ? [await checkAccessLog(ctx, args.accessLog)] : []),
    ...(args.exposure ? [await checkExposure(ctx, args.exposure)] : []),
    ...(args.messages ? [await checkMessages(ctx, args.messages)] : []),
  ];
  return {
    summary: parts.map((p) => p.summary).join('; ') || 'nothing to check',
    failures: parts.flatMap((p) => p.failures),
  };
}
