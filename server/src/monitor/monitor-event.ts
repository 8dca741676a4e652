import { z } from 'zod';

/** A participant of the sequence view: the person's browser, Glasshouse, or a client. */
export const actorSchema = z.string();

/**
 * One event of the data-flow log, as the monitor shows, exports and imports it. OAuth steps and
 * accesses (API responses, partner socket deliveries) share this shape.
 */
export const monitorEventSchema = z.object({
  /** Position in this log (1-based). */
  seq: z.number().int().min(1),
  /** ms since epoch. */
  at: z.number(),
  /**
   * `fault`: a fault a tester injected changed a call (README "Time, faults and expiry for testers");
   * `retention`: a data-deletion request to a client and its answer.
   */
  kind: z.enum(['oauth', 'access', 'admin', 'fault', 'retention']),
  /** Sequence arrow: from → to. */
  from: actorSchema,
  to: actorSchema,
  /** One-line summary shown on the arrow. */
  label: z.string(),
  clientId: z.string().optional(),
  /** Resource owner / person acting (id). */
  personId: z.string().optional(),
  details: z.object({
    step: z.string().optional(),
    action: z.enum(['read', 'write', 'delete']).optional(),
    scope: z.string().optional(),
    scopes: z.array(z.string()).optional(),
    operation: z.string().optional(),
    channel: z.enum(['api', 'socket']).optional(),
    policy: z.string().optional(),
    threads: z.array(z.object({ id: z.string(), title: z.string() })).optional(),
    messages: z.array(z.object({ id: z.string(), snippet: z.string(), senderId: z.string().optional() })).optional(),
    /** People included (id, display name), with bystanders flagged. */
    people: z.array(z.object({ id: z.string(), name: z.string(), bystander: z.boolean() })).optional(),
    note: z.string().optional(),
  }),
});

export type MonitorEvent = z.infer<typeof monitorEventSchema>;

/** An exported data-flow log (GET /monitor/log.json), importable again. */
export const monitorLogSchema = z.object({
  format: z.literal('glasshouse-monitor/1'),
  exportedAt: z.number(),
  events: z.array(monitorEventSchema).max(50_000),
});
export type MonitorLog = z.infer<typeof monitorLogSchema>;
