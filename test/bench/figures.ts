/** One line of `BENCH_OUT`: a measured figure and the target it is held to. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** e.g. "≥ 0.5", "< 25". */
  target: string;
  met: boolean;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/** A figure that must be at least `min`. */
export const atLeast = (name: string, value: number, unit: string, min: number): Figure => ({ name, value: round(value), unit, target: `≥ ${min}`, met: value >= min });
/** A figure that must stay below `max`. */
export const below = (name: string, value: number, unit: string, max: number): Figure => ({ name, value: round(value), unit, target: `< ${max}`, met: value < max });
/** A figure reported for reference, with no target of its own. */
export const info = (name: string, value: number, unit: string): Figure => ({ name, value: round(value), unit, target: 'none (reference)', met: true });
