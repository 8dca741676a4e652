/** jest setup file: see server/testkit/quiet-runtime-warning.ts. */
import '../../server/testkit/quiet-runtime-warning.js';
