// A jest test sequencer that runs files in reverse order of their paths, for
// test/architecture/hang-watchdog.test.ts (skipped.fixture.ts before hanging.fixture.ts). Plain
// JavaScript: jest loads a sequencer without its transform.
import sequencer from '@jest/test-sequencer';

const Sequencer = sequencer.default ?? sequencer;

export default class ReverseNameSequencer extends Sequencer {
  sort(tests) {
    return [...tests].sort((a, b) => b.path.localeCompare(a.path));
  }
}
