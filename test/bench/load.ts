import autocannon from 'autocannon';

/** One autocannon run against 127.0.0.1, reduced to what the targets need. */
export interface LoadResult {
  /** Mean requests per second. */
  rps: number;
  /** ms */
  p50: number;
  p99: number;
  ok: number;
  non2xx: number;
  /** 5xx answers (a subset of non2xx). */
  serverErrors: number;
  errors: number;
}

export interface LoadOptions {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  connections?: number;
  /** seconds */
  duration: number;
  /** Requests per second over all connections (open-loop load); absent = as fast as possible. */
  overallRate?: number;
}

/** Runs autocannon (50 connections by default) for `duration` seconds. */
export async function load(options: LoadOptions): Promise<LoadResult> {
  const result = await autocannon({
    url: options.url,
    method: options.method ?? 'GET',
    headers: options.headers ?? {},
    ...(options.body === undefined ? {} : { body: options.body }),
    connections: options.connections ?? 50,
    duration: options.duration,
    ...(options.overallRate === undefined ? {} : { overallRate: options.overallRate }),
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok: result['2xx'],
    non2xx: result.non2xx,
    serverErrors: result['5xx'],
    errors: result.errors + result.timeouts,
  };
}

/** The median run by requests per second (its latencies are that same run's). */
export function medianByRate(results: readonly LoadResult[]): LoadResult {
  return [...results].sort((a, b) => a.rps - b.rps)[Math.floor(results.length / 2)]!;
}

/**
 * The median over repetitions of `runs[i].rps / reference[i].rps`: each ratio is of runs made one
 * after the other in the same repetition, so a machine that slows down or speeds up between
 * repetitions moves both sides of a ratio, not one (the "medians of repeated runs, ratios in
 * the same run"). Both lists hold one run per repetition, in order.
 */
export function medianRatio(runs: readonly LoadResult[], reference: readonly LoadResult[]): number {
  if (runs.length !== reference.length || runs.length === 0) throw new Error('one run of each per repetition');
  const ratios = runs.map((r, i) => r.rps / reference[i]!.rps).sort((a, b) => a - b);
  return ratios[Math.floor(ratios.length / 2)]!;
}

/** p-th percentile (0–100) of `xs`. */
export const percentile = (xs: readonly number[], p: number): number =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;
