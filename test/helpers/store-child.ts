/**
 * A child process for crash tests (see crash.ts): opens the file store on argv[2], makes the changes
 * of the plan in argv[3], prints one JSON line (`{"durable":…}`) once they are acknowledged, and then
 * waits to be killed. Never closes the store: whatever is on disk is what a crash leaves.
 */
import { createAccessRecorder, type AccessRecord } from '../../server/src/audit/access-recorder.js';
import { EventBus } from '../../server/src/events.js';
import { openFileStore } from '../../server/src/store/open-data-file.js';
import type { JournalOp } from '../../server/src/store/schema.js';

export interface CrashPlan {
  ops?: JournalOp[];
  accesses?: AccessRecord[];
  /** `now()` of the access recorder. */
  now?: number;
}

const [dataFile, planJson] = process.argv.slice(2);
const plan = JSON.parse(planJson ?? '{}') as CrashPlan;
const store = await openFileStore(dataFile!);
for (const op of plan.ops ?? []) {
  if (op.op === 'put') await store.put(op.c, op.v as never);
  else await store.delete(op.c, op.id);
}
const recorder = createAccessRecorder({ store, events: new EventBus(), now: () => plan.now ?? Date.now() });
const entries = [];
for (const access of plan.accesses ?? []) entries.push(await recorder.record(access));
process.stdout.write(JSON.stringify({ durable: { entries } }) + '\n');
setInterval(() => undefined, 60_000); // wait for SIGKILL
