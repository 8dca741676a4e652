import type express from 'express';

/** One route an express app answers: method (lower case) and a concrete path (parameters filled with `x`). */
export interface RouteEntry {
  method: string;
  path: string;
}

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle: { stack?: Layer[] };
  rawPath?: string | string[];
}

/** `/threads/:threadId{/:rest}` → `/threads/x` (Express 5 / path-to-regexp 8 syntax). */
function concrete(path: string): string {
  return path.replace(/\{[^}]*\}/g, '').replace(/[:*]\w+/g, 'x') || '/';
}

/**
 * Every route registered on `app`, walking nested routers (express 5 / router 2 layers), so a test
 * over this list covers a new route without anyone adding it.
 */
export function listRoutes(app: express.Express): RouteEntry[] {
  const out: RouteEntry[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const p of ([] as string[]).concat(layer.route.path)) {
          for (const method of Object.keys(layer.route.methods))
            if (method !== '_all') out.push({ method, path: concrete(prefix + p) });
        }
      } else if (layer.handle.stack) {
        const raw = ([] as string[]).concat(layer.rawPath ?? '/')[0] ?? '/';
        walk(layer.handle.stack, prefix + (raw === '/' ? '' : raw));
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  const seen = new Set<string>();
  return out.filter((r) => !seen.has(`${r.method} ${r.path}`) && seen.add(`${r.method} ${r.path}`));
}
