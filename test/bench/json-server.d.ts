/** json-server 1.0 beta ships no types: the one function the bench uses (lib/app.js). */
declare module 'json-server/lib/app.js' {
  import type { Server } from 'node:http';
  export function createApp(db: unknown, options?: { logger?: boolean; static?: string[] }): { listen(port: number, cb: () => void, host: string): Server };
}
