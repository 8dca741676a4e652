import { describe, expect, it } from '@jest/globals';
import { medianRatio, type LoadResult } from '../bench/load.js';

const run = (rps: number): LoadResult => ({ rps, p50: 0, p99: 0, ok: 0, non2xx: 0, serverErrors: 0, errors: 0 });

describe("the bench's ratios to bare express (npm run bench)", () => {
  it("When the machine's speed changes between repetitions, then the ratio is the median of each repetition's own ratio", () => {
    // Repetition 2 ran on a busier machine (both sides slower): its own ratio is 0.55.
    const express = [run(8000), run(6000), run(7000)];
    const page = [run(4000), run(3300), run(3400)];
    expect(medianRatio(page, express)).toBe(0.5); // ratios 0.5, 0.55, 0.486
    // The ratio of the two medians would pair runs of different repetitions: 3400 / 7000.
    expect(3400 / 7000).not.toBeCloseTo(0.5, 2);
  });

  it('When the lists do not hold one run per repetition each, then it refuses', () => {
    expect(() => medianRatio([run(1)], [])).toThrow('one run of each per repetition');
    expect(() => medianRatio([], [])).toThrow('one run of each per repetition');
  });
});
