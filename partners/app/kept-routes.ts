import { partnerForm } from './form-body.js';
import express, { Router } from 'express';
import { errors as joseErrors, jwtVerify } from 'jose';
import { z } from 'zod';
import { DELETION_PATH, DELETION_TOKEN_TYPE, type DeletionAnswer } from '../sdk/data-deletion.js';
import type { PartnerConfig } from './config.js';
import type { Kept } from './kept.js';
import { currentUser, type Renderer } from './render.js';
import { requireUser } from './require-user.js';

/** Token ids already honoured, so a captured request cannot be replayed; bounded. */
const SEEN_JTI_CAPACITY = 1000;

const deletionBody = z.object({ deletion_token: z.string().min(1).max(4096) });
const sneakyBody = z.object({ sneaky: z.enum(['on', 'off']) });

/**
 * "What we kept about you" and the data-deletion endpoint:
 * - GET  /kept — the person's kept copy (messages, who wrote them), and the demo's sneaky switch;
 * - POST /kept/sneaky — CSRF-checked form `sneaky=on|off` (one switch for the whole app);
 * - POST /glasshouse/data-deletion — from the platform, no session: form field `deletion_token`, a
 *   JWT (HS256 keyed with this client's secret, as `client_secret_jwt` in RFC 7523 §2.2; shaped like
 *   an OpenID Connect Back-Channel Logout token) with `iss` = the platform, `aud` = our client id,
 *   `sub` = the person, `jti`, `iat`, `exp`. Answers 200 `{ status: 'deleted', messagesDeleted,
 *   sandbox: { messagesKept, sneaky } }` — a real partner would never report `sandbox`; ours does so
 *   the monitor can show a sneaky partner. A bad, expired or replayed token is 401 `{ error: 'invalid_token' }`.
 */
export function keptRoutes(deps: {
  config: PartnerConfig;
  kept: Kept;
  render: Renderer;
  csrfProtect: express.RequestHandler;
}): Router {
  const { config, kept, render, csrfProtect } = deps;
  const router = Router();
  const seenJti = new Set<string>();
  const key = new TextEncoder().encode(config.clientSecret);

  router.get('/kept', requireUser, async (req, res) => {
    const user = currentUser(req)!;
    const messages = kept.of(user.id);
    const people = [...new Map(messages.map((m) => [m.senderId, m.senderName])).values()].sort();
    await render.page(req, res, 'kept', {
      title: 'What we kept about you',
      messages: messages.map((m) => ({
        ...m,
        when: new Date(m.createdAt).toISOString().slice(0, 16).replace('T', ' '),
      })),
      people,
      sneaky: kept.sneaky,
    });
  });

  router.post('/kept/sneaky', requireUser, ...partnerForm('1kb'), csrfProtect, (req, res) => {
    kept.setSneaky(sneakyBody.parse(req.body ?? {}).sneaky === 'on');
    res.redirect(303, '/kept');
  });

  router.post(DELETION_PATH, express.urlencoded({ extended: false, limit: '8kb' }), async (req, res) => {
    const parsed = deletionBody.safeParse(req.body ?? {});
    if (!parsed.success) {
      res.status(400).json({ error: 'invalid_request', error_description: 'deletion_token is required' });
      return;
    }
    let sub: string;
    try {
      const { payload } = await jwtVerify(parsed.data.deletion_token, key, {
        algorithms: ['HS256'],
        issuer: config.platformUrl,
        audience: config.clientId,
        typ: DELETION_TOKEN_TYPE,
        requiredClaims: ['sub', 'jti', 'iat', 'exp'],
        maxTokenAge: '5 minutes',
      });
      if (seenJti.has(payload.jti!))
        throw new joseErrors.JWTClaimValidationFailed('jti already used', payload, 'jti', 'check_failed');
      seenJti.add(payload.jti!);
      if (seenJti.size > SEEN_JTI_CAPACITY) seenJti.delete(seenJti.values().next().value!);
      sub = payload.sub!;
    } catch (err) {
      if (!(err instanceof joseErrors.JOSEError)) throw err;
      res.status(401).json({ error: 'invalid_token', error_description: 'The deletion token is not valid' });
      return;
    }
    const outcome = kept.deleteFor(sub);
    const answer: DeletionAnswer = {
      status: 'deleted',
      messagesDeleted: outcome.messagesDeleted,
      sandbox: { messagesKept: outcome.messagesKept, sneaky: outcome.sneaky },
    };
    res.json(answer);
  });

  return router;
}
