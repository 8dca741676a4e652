import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Request, Response } from 'express';
import { Eta } from 'eta';
import type { AppError } from '../errors.js';

const VIEWS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'views');

/** Data every page gets: the person, a CSRF token for its forms, the policy badge. */
export interface PageContext {
  user?: Express.User | undefined;
  csrf: string;
  policy?: string;
  /** Whether the navigation offers the monitor (admins and unlocked sessions only). */
  monitor?: boolean;
  /** ms since epoch when the page was rendered: where the live inbox's catch-up starts. */
  renderedAt?: number;
}

/**
 * Server-side pages with eta (auto-escaping on). `pageContext` supplies what the layout needs, so
 * routes pass only their own data. `extraViewsDir` lets features add their own templates.
 */
export function createRenderer(pageContext: (req: Request, res: Response) => PageContext) {
  const eta = new Eta({ views: VIEWS_DIR, cache: true, autoEscape: true, autoTrim: false });
  return {
    eta,
    /** Renders `view` (a template under views/) with `data` and sends it as HTML. */
    page(req: Request, res: Response, view: string, data: Record<string, unknown>, status = 200): void {
      const html = eta.render(view, { ...pageContext(req, res), ...data });
      res.status(status).type('html').send(html);
    },
    /** Renders a template under views/ (e.g. a partial) to a string, without the page context. */
    fragment(view: string, data: Record<string, unknown>): string {
      return eta.render(view, data);
    },
    /** The HTML error page used by the error middleware for browsers. */
    errorPage(req: Request, res: Response, err: AppError): void {
      const heading =
        err.status === 404 ? 'Not found' : err.status >= 500 ? 'Something went wrong' : 'That did not work';
      let ctx: PageContext = { csrf: '' };
      try {
        ctx = pageContext(req, res);
      } catch {
        // The error may come from the context itself (e.g. CSRF); render without it.
      }
      res
        .status(err.status)
        .type('html')
        .send(eta.render('error', { ...ctx, title: heading, heading, detail: err.detail }));
    },
  };
}

export type Renderer = ReturnType<typeof createRenderer>;
