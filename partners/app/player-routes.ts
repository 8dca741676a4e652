import express, { Router } from 'express';
import { z } from 'zod';
import { allPages, GlasshouseApiError, type Person } from '../sdk/index.js';
import type { Accounts } from './accounts.js';
import type { ClientStanding } from './client-standing.js';
import { PARTNER_SCOPES, SCOPE_ASKS, type PartnerConfig } from './config.js';
import type { Relay } from './relay.js';
import { PartnerFailure } from './failures.js';
import { partnerForm } from './form-body.js';
import { currentUser, type Renderer } from './render.js';
import { requireUser } from './require-user.js';

/** Notices the landing page may show (`/?notice=…`); anything else is ignored. */
const NOTICES = {
  revoked: 'Your Glasshouse access was revoked or has expired. Log in again to keep using {name}.',
  shut_down: 'This integration has been shut down: Glasshouse no longer lets {name} into your account.',
  logged_out: 'You are logged out of {name}.',
} as const;

const playSchema = z.object({ itemId: z.string().min(1).max(100) });
/** Person ids as the platform makes them; at most 50 friends per share list. */
// Only the form's own fields: a body of another shape sent as a form (JSON labelled as one) has none
// of them, and must not read as "share with nobody" (400 bad_request instead).
const shareSchema = z.strictObject({
  friend: z.union([z.string(), z.array(z.string())]).optional(),
  _csrf: z.string().optional(),
});
const personId = z.string().regex(/^[\w~-]{1,80}$/);

/** "mm:ss" (or "h:mm:ss") of a duration in seconds. */
export function clock(totalSec: number): string {
  const s = Math.max(0, Math.floor(totalSec));
  const mmss = `${Math.floor((s % 3600) / 60)}:${String(s % 60).padStart(2, '0')}`;
  return s >= 3600 ? `${Math.floor(s / 3600)}:${mmss.padStart(5, '0')}` : mmss;
}

/**
 * The player: landing page (logged out), catalogue + player + share choices + live feed (logged
 * in); `POST /share` saves which friends get "now playing" (form: redirect; `Accept: application/json`:
 * `{ shareWith: displayName[] }`, what the player sends on each tick); `POST /play` (JSON `{ itemId }`, CSRF
 * header) sends each of them a "now playing" message through `POST /api/v1/me/messages` and answers
 * `{ sent: string[], failed: { name, reason }[] }`; `GET /events` is the live feed (SSE).
 */
export function playerRoutes(deps: {
  config: PartnerConfig;
  accounts: Accounts;
  relay: Relay;
  render: Renderer;
  csrfProtect: express.RequestHandler;
  standing: ClientStanding;
}): Router {
  const { config, accounts, relay, render, csrfProtect, standing } = deps;
  const router = Router();
  const itemsById = new Map(config.catalogue.map((i) => [i.id, i]));

  router.get('/', async (req, res) => {
    const user = currentUser(req);
    if (!user) {
      // A fresh visitor has no session that met the refusal: ask the platform whether we are shut down.
      const key = (await standing.shutDown())
        ? 'shut_down'
        : (String(req.query['notice'] ?? '') as keyof typeof NOTICES);
      const notice = NOTICES[key]?.replaceAll('{name}', config.name);
      const asks = PARTNER_SCOPES.map((scope) => ({ scope, text: SCOPE_ASKS[scope] }));
      await render.page(req, res, 'landing', {
        title: config.tagline,
        notice,
        noticeKind: notice ? key : undefined,
        shutDown: key === 'shut_down',
        asks,
      });
      return;
    }
    const client = accounts.client(user.id);
    const friends: Person[] = await allPages((page) => client.friends(page));
    accounts.learnNames(user.id, friends);
    const shareWith = new Set(accounts.get(user.id)?.shareWith ?? []);
    await render.page(req, res, 'home', {
      title: 'Player',
      catalogue: config.catalogue.map((i) => ({ ...i, clock: clock(i.durationSec) })),
      friends: friends.map((f) => ({ ...f, checked: shareWith.has(f.id) })),
      kind: config.kind,
      saved: req.query['saved'] === '1',
    });
  });

  router.post('/share', requireUser, ...partnerForm('8kb'), csrfProtect, async (req, res) => {
    const user = currentUser(req)!;
    const raw = shareSchema.parse(req.body ?? {}).friend ?? [];
    const ids = (Array.isArray(raw) ? raw : [raw]).filter((id) => personId.safeParse(id).success).slice(0, 50);
    // Only the person's friends now (a tab left open by someone else, or a hand-made form, may name others).
    if (ids.length) {
      const friends = new Set((await allPages((page) => accounts.client(user.id).friends(page))).map((f) => f.id));
      const strangers = ids.filter((id) => !friends.has(id));
      if (strangers.length)
        throw new PartnerFailure('bad_request', `Not among your Glasshouse friends: ${strangers.join(', ')}.`);
    }
    const account = accounts.get(user.id);
    if (account) account.shareWith = [...new Set(ids)];
    // The player saves each tick at once with fetch (JSON answer); a form without script redirects.
    if (req.accepts(['html', 'json']) === 'json') {
      res.json({ shareWith: (account?.shareWith ?? []).map((id) => account?.names.get(id) ?? id) });
      return;
    }
    res.redirect(303, '/?saved=1');
  });

  router.post('/play', requireUser, express.json({ limit: '4kb' }), csrfProtect, async (req, res) => {
    const user = currentUser(req)!;
    const parsed = playSchema.safeParse(req.body);
    const item = parsed.success ? itemsById.get(parsed.data.itemId) : undefined;
    if (!item) throw new PartnerFailure('bad_request', 'No such item in the catalogue.');
    const account = accounts.get(user.id)!;
    const client = accounts.client(user.id);
    const sent: string[] = [];
    const failed: { name: string; reason: string }[] = [];
    for (const friendId of account.shareWith) {
      const name = account.names.get(friendId) ?? friendId;
      try {
        await client.sendToPerson(friendId, {
          text: `${user.displayName} is ${config.verb} “${item.title}” by ${item.artist} on ${config.name}`,
          nowPlaying: { kind: config.kind, title: item.title, artist: item.artist },
        });
        sent.push(name);
      } catch (err) {
        // One friend refused (no longer a friend, gone): tell the person, keep going.
        if (err instanceof GlasshouseApiError && err.status !== 401 && err.status < 500)
          failed.push({ name, reason: err.problem.detail });
        else throw err;
      }
    }
    res.json({ sent, failed });
  });

  router.get('/events', requireUser, (req, res) => {
    relay.subscribe(currentUser(req)!.id, res, req.sessionID);
  });

  return router;
}
