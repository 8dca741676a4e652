import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Request, Response } from 'express';
import { Eta } from 'eta';
import type { PartnerConfig } from './config.js';
import type { PolicyBadges } from './policy-badge.js';

const VIEWS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'views');

/** The logged-in person on a partner page. */
export interface PartnerUser {
  id: string;
  username: string;
  displayName: string;
}

/** The logged-in person, if any (passport's `req.user`). */
export function currentUser(req: Request): PartnerUser | undefined {
  return req.user as PartnerUser | undefined;
}

/** "1 thread", "2 threads": `many` defaults to `one` + "s". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * Server-side pages of a partner (eta, auto-escaping). Every page gets the brand, the person, a
 * CSRF token, the platform URL, the platform's policy badge and `plural`; routes pass only their own data.
 */
export function createRenderer(
  config: PartnerConfig,
  csrfToken: (req: Request, res: Response) => string,
  policy: PolicyBadges,
) {
  const eta = new Eta({ views: VIEWS_DIR, cache: true, autoEscape: true, autoTrim: false });
  const brand = {
    name: config.name,
    tagline: config.tagline,
    logo: config.logo,
    theme: config.theme,
    colours: config.colours,
    platformUrl: config.platformUrl,
  };
  return {
    /** Renders `view` with `data` and sends it as HTML with `status` (after asking for the policy badge). */
    async page(req: Request, res: Response, view: string, data: Record<string, unknown>, status = 200): Promise<void> {
      const badge = await policy.current();
      const user = currentUser(req);
      let csrf = '';
      try {
        if (user) csrf = csrfToken(req, res);
      } catch {
        // No token (e.g. the session is gone): forms are not shown then.
      }
      res
        .status(status)
        .type('html')
        .send(eta.render(view, { brand, user, csrf, policy: badge, plural, ...data }));
    },
  };
}

export type Renderer = ReturnType<typeof createRenderer>;
