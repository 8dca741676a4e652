import { Router } from 'express';
import type { PartnerConfig } from './config.js';

/** How long browsers may keep the icon (s). */
const ICON_MAX_AGE_S = 24 * 60 * 60;

/** Escapes text for an XML attribute or element. */
function xml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The brand's icon: its logo symbol, white on a rounded square of its primary colour. */
export function faviconSvg(config: Pick<PartnerConfig, 'logo' | 'colours'>): string {
  return (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">' +
    `<rect width="64" height="64" rx="14" fill="${xml(config.colours.primary)}"/>` +
    '<text x="32" y="45" font-size="38" text-anchor="middle" fill="#fff" font-family="system-ui, sans-serif">' +
    `${xml(config.logo)}</text></svg>`
  );
}

/**
 * `GET /favicon.svg` (the layout links it) and `GET /favicon.ico` → 204, for browsers that ask
 * for it anyway: no page load ends in a 404 for its icon.
 */
export function faviconRoutes(config: PartnerConfig): Router {
  const svg = faviconSvg(config);
  const router = Router();
  router.get('/favicon.svg', (_req, res) => {
    res.type('image/svg+xml').set('Cache-Control', `public, max-age=${ICON_MAX_AGE_S}`).send(svg);
  });
  router.get('/favicon.ico', (_req, res) => {
    res.set('Cache-Control', `public, max-age=${ICON_MAX_AGE_S}`).status(204).end();
  });
  return router;
}
