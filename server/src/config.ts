import { listensOnLoopbackOnly } from './http/startup.js';
import { z } from 'zod';
import { inputIssues } from './http/validate.js';

/** Smallest `MEMORY_COMPACT_IDLE_MS` other than 0: a shorter one would take a gap between two requests for idleness. */
export const MIN_COMPACT_IDLE_MS = 100;
/** Demo-only values: printed at start and flagged once, never meant for a shared deployment. */
export const DEMO_ADMIN_TOKEN = 'glasshouse-admin-demo-token';
/** An admin token (ADMIN_TOKEN, `createSandbox({ adminToken })`): long enough not to be guessed. */
export const adminTokenSchema = z.string().min(16);
export const DEMO_SESSION_SECRET = 'glasshouse-demo-session-secret-change-me';
/** Demo client secrets of the built-in partners: the defaults of TUNEWAVE_/REELBOX_CLIENT_SECRET, and the seed's registrations. */
export const DEMO_PARTNER_SECRETS = {
  tunewave: 'tunewave-demo-secret-0123456789',
  reelbox: 'reelbox-demo-secret-0123456789',
} as const;

const port = z.coerce.number().int().min(0).max(65535);

/**
 * Every setting the platform and partner apps read from the environment, with its documented default.
 * The README's configuration table mirrors this schema.
 */
export const configSchema = z.object({
  /**
   * Where `npm start` listens: `loopback` (127.0.0.1 and ::1: this machine only, the default), or an
   * address given to node as is (`0.0.0.0` or `::` for every interface: the demo's public passwords
   * and admin token then reach the network).
   */
  LISTEN_HOST: z.string().min(1).max(255).default('loopback'),
  /** Platform HTTP port (0 = ephemeral). */
  PLATFORM_PORT: port.default(3000),
  /** Tunewave partner app port. */
  TUNEWAVE_PORT: port.default(3001),
  /** Reelbox partner app port. */
  REELBOX_PORT: port.default(3002),
  /** Public base URL of the platform (issuer of tokens; where partners find it). Default: http://localhost:$PLATFORM_PORT. */
  PLATFORM_URL: z.url().optional(),
  /**
   * Extra browser origins (comma-separated, e.g. `http://localhost:5173,https://demo.example`) that may
   * open the platform's cookie-authenticated sockets and post its forms, besides `PLATFORM_URL`'s own
   * origin (README "Socket security model"). Default: none.
   */
  ALLOWED_ORIGINS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((o) => o.trim().replace(/\/$/, ''))
        .filter((o) => o !== ''),
    )
    .pipe(
      z.array(
        z
          .url()
          .refine(
            (o) => URL.canParse(o) && new URL(o).origin === o,
            'must be an origin: scheme://host[:port], no path',
          ),
      ),
    ),
  /** Main store file; created from the seed on first start. Journal and snapshot live beside it. */
  DATA_FILE: z.string().min(1).default('data/glasshouse.json'),
  /** Bearer token of the admin API and the monitor. */
  ADMIN_TOKEN: adminTokenSchema.default(DEMO_ADMIN_TOKEN),
  /** Secret that signs session and CSRF cookies. */
  SESSION_SECRET: z.string().min(16).default(DEMO_SESSION_SECRET),
  /** Lifetime of a platform web session, in seconds since its last request (default 8 h); its sockets close when it ends. */
  SESSION_MAX_AGE_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(30 * 86_400)
    .default(8 * 60 * 60),
  /**
   * Most web sessions the platform keeps in memory (default 10,000) of logged-in people, and as many
   * again of visitors who are not: past it the least recently used of that kind is dropped (its
   * person logs in again, its sockets close); expired ones are forgotten within a minute.
   */
  SESSIONS_MAX: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
  /** `true` offers the seeded people on the login page (still through the real login). */
  DEMO_MODE: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
  /** OAuth client secret the Tunewave app uses (and the platform's `tunewave` registration is set to at start). */
  TUNEWAVE_CLIENT_SECRET: z.string().min(16).default(DEMO_PARTNER_SECRETS.tunewave),
  /** OAuth client secret of Reelbox, likewise. */
  REELBOX_CLIENT_SECRET: z.string().min(16).default(DEMO_PARTNER_SECRETS.reelbox),
  /** `true`: Tunewave and Reelbox bind their tokens to a DPoP key (RFC 9449) — API calls, refreshes, socket. */
  PARTNERS_DPOP: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /** `/partners` sockets open at once with one access token (a handshake beyond: connect_error `too_many_sockets`). */
  PARTNER_SOCKETS_PER_TOKEN: z.coerce.number().int().min(1).max(100_000).default(100),
  /** Messaging API: requests allowed per access token per window (429 beyond). */
  API_RATE_LIMIT: z.coerce.number().int().min(1).max(1_000_000).default(300),
  /** Messaging API: length of the rate-limit window, in seconds. */
  API_RATE_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  /**
   * `true` builds the platform with a clock testers can advance (`POST /admin/clock/advance`);
   * sandboxes always have one. Off by default: a shared demo keeps the wall clock.
   */
  CONTROLLABLE_CLOCK: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /**
   * Sign-ins in progress (authorization requests waiting for login or consent, each kept 10 minutes,
   * and pushed ones, 1 minute) at most: past it a new one is answered `temporarily_unavailable`
   * (README "Retention").
   */
  PENDING_SIGN_INS_MAX: z.coerce.number().int().min(1).max(1_000_000).default(1_000),
  /** Retention (README "Retention"): raw access-log entries kept at most; older ones are folded into totals. */
  ACCESS_LOG_KEEP_ENTRIES: z.coerce.number().int().min(0).max(10_000_000).default(10_000),
  /** Retention: raw access-log entries older than this many hours are folded into totals. */
  ACCESS_LOG_KEEP_HOURS: z.coerce.number().min(0).max(87_600).default(168),
  /**
   * ms without a request, after some, before the process compacts its heap (when it grew since the
   * last time) and gives the memory back (README "Performance"); 0 = never. Only where node runs with
   * `--expose-gc` (`npm start`).
   */
  MEMORY_COMPACT_IDLE_MS: z.coerce
    .number()
    .int()
    .max(3_600_000)
    .refine((ms) => ms === 0 || ms >= MIN_COMPACT_IDLE_MS, `0, or at least ${MIN_COMPACT_IDLE_MS} (ms)`)
    .default(1000),
  /** How often (seconds) expired OAuth records are purged and old access-log entries folded. */
  HOUSEKEEPING_INTERVAL_SECONDS: z.coerce.number().min(0.05).max(86_400).default(10),
  /**
   * The journal is folded into the snapshot in the background once it passes this many bytes or the
   * snapshot's own size, whichever is larger (README "Data and storage"): the cost of compaction per
   * journaled byte then stays the same as the data grows.
   */
  JOURNAL_COMPACT_BYTES: z.coerce
    .number()
    .int()
    .min(4_096)
    .max(2 ** 40)
    .default(8 * 1024 * 1024),
  /** pino log level; `silent` in tests. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = Omit<z.infer<typeof configSchema>, 'PLATFORM_URL'> & { PLATFORM_URL: string };

/** Raised when the environment holds a value the schema refuses; names each bad key. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Validates `env` (usually `process.env`) and applies the documented defaults.
 * @throws ConfigError naming every invalid key.
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const picked = Object.fromEntries(
    Object.keys(configSchema.shape).map((key) => [key, env[key] === '' ? undefined : env[key]]),
  );
  const parsed = configSchema.safeParse(picked);
  if (!parsed.success) {
    const lines = inputIssues(parsed.error, picked).map((i) => `  ${i.path}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const data = parsed.data;
  return { ...data, PLATFORM_URL: (data.PLATFORM_URL ?? `http://localhost:${data.PLATFORM_PORT}`).replace(/\/$/, '') };
}

/**
 * The start-up line about the admin token: the token itself only when it is the public demo default
 * (a secret set in the environment is never printed, it would land in logs and screenshots).
 */
export function adminTokenNotice(config: Config): string {
  return config.ADMIN_TOKEN === DEMO_ADMIN_TOKEN
    ? `Admin token: ${config.ADMIN_TOKEN} (the public demo default)`
    : 'Admin token: the one set in ADMIN_TOKEN (not printed)';
}

/** The warning for a `LISTEN_HOST` that reaches beyond this machine, if it does (both entry points print it). */
export function listenWarning(config: Config): string | undefined {
  return listensOnLoopbackOnly(config.LISTEN_HOST)
    ? undefined
    : `LISTEN_HOST=${config.LISTEN_HOST} is reachable beyond this machine: so are the demo's public passwords and admin token`;
}

/** Warnings about demo-only values, printed once by `npm start`. */
export function demoWarnings(config: Config): string[] {
  const warnings: string[] = [];
  const listening = listenWarning(config);
  if (listening) warnings.push(listening);
  if (config.ADMIN_TOKEN === DEMO_ADMIN_TOKEN) warnings.push('ADMIN_TOKEN is the public demo value');
  if (config.SESSION_SECRET === DEMO_SESSION_SECRET) warnings.push('SESSION_SECRET is the public demo value');
  if (
    config.TUNEWAVE_CLIENT_SECRET === DEMO_PARTNER_SECRETS.tunewave ||
    config.REELBOX_CLIENT_SECRET === DEMO_PARTNER_SECRETS.reelbox
  ) {
    warnings.push("the partners' client secrets are the public demo values");
  }
  return warnings;
}

/** A config for tests and sandboxes: defaults, ephemeral ports, quiet logs. */
export function testConfig(overrides: Partial<Record<keyof Config, string>> = {}): Config {
  return loadConfig({ PLATFORM_PORT: '0', TUNEWAVE_PORT: '0', REELBOX_PORT: '0', LOG_LEVEL: 'silent', ...overrides });
}
