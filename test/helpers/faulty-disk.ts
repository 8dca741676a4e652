import { nodeDisk, type Disk } from '../../server/src/store/disk.js';

/** The file-system calls a test can make fail. */
export type FaultyCall = 'write' | 'sync' | 'rename' | 'truncate';

/** An errno error as node:fs raises it. */
export function errnoError(code: string, syscall: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: injected failure, ${syscall}`), { code, syscall, errno: -1 });
}

/**
 * The real disk (`nodeDisk`) with failures injected at the system-call boundary: `failNext('write',
 * 'ENOSPC', n)` makes the next n writes fail — after writing half of their bytes, as a full disk
 * does — so the journal really holds a torn line. `sync`, `rename` and `truncate` fail without effect.
 */
export function faultyDisk(base: Disk = nodeDisk) {
  const faults: Partial<Record<FaultyCall, { code: string; left: number; on?: string; skip?: number }>> = {};
  const calls: Record<FaultyCall, number> = { write: 0, sync: 0, rename: 0, truncate: 0 };
  /** `sync <path>` and `rename <from> <to>`, in order: to check what reaches the disk when. */
  const log: string[] = [];
  const paths = new WeakMap<object, string>();
  /** fsyncs wait for `until` once `skip` more went through (`holdSyncs`); none held at first. */
  let held = { skip: Infinity, until: Promise.resolve(), waiting: 0 };
  const fault = (call: FaultyCall, file?: string): string | undefined => {
    calls[call]++;
    const f = faults[call];
    if (!f || f.left === 0 || (f.on !== undefined && f.on !== file)) return undefined;
    if (f.skip) {
      f.skip--;
      return undefined;
    }
    f.left--;
    return f.code;
  };
  const disk: Disk = {
    ...base,
    async open(file, flags, mode) {
      const handle = await base.open(file, flags, mode);
      paths.set(handle, file);
      return handle;
    },
    async write(handle, text) {
      const code = fault('write', paths.get(handle));
      if (!code) return base.write(handle, text);
      await base.write(handle, text.slice(0, Math.floor(text.length / 2)));
      throw errnoError(code, 'write');
    },
    async sync(handle, dataOnly) {
      if (held.skip-- <= 0) {
        held.waiting++;
        await held.until;
      }
      const code = fault('sync', paths.get(handle));
      if (code) throw errnoError(code, 'fsync');
      log.push(`sync ${paths.get(handle) ?? '?'}`);
      return base.sync(handle, dataOnly);
    },
    async truncate(handle, length) {
      const code = fault('truncate', paths.get(handle));
      if (code) throw errnoError(code, 'ftruncate');
      return base.truncate(handle, length);
    },
    async rename(from, to) {
      const code = fault('rename', to);
      if (code) throw errnoError(code, 'rename');
      log.push(`rename ${from} ${to}`);
      return base.rename(from, to);
    },
  };
  return {
    disk,
    calls,
    log,
    /**
     * The next `times` calls of `call` fail with `code` (Infinity: until `heal()`); with `on`, only
     * those on that path (the file or folder written or synced, the target of a rename).
     */
    failNext(call: FaultyCall, code: string, times = 1, on?: string) {
      faults[call] = { code, left: times, ...(on === undefined ? {} : { on }) };
    },
    /** As `failNext`, once `succeeding` more calls of `call` went through (e.g. a request's second write). */
    failAfter(call: FaultyCall, code: string, succeeding: number, times = 1) {
      faults[call] = { code, left: times, skip: succeeding };
    },
    /**
     * Once `succeeding` more fsyncs went through, the next ones wait (a slow disk) until the function
     * `release` is called: writes are then applied in memory and not yet durable. `waiting()`: how
     * many fsyncs wait.
     */
    holdSyncs(succeeding = 0): { release(): void; waiting(): number } {
      let release!: () => void;
      const hold = { skip: succeeding, until: new Promise<void>((r) => (release = r)), waiting: 0 };
      held = hold;
      return {
        release() {
          held = { skip: Infinity, until: Promise.resolve(), waiting: 0 };
          release();
        },
        waiting: () => hold.waiting,
      };
    },
    heal() {
      for (const key of Object.keys(faults) as FaultyCall[]) delete faults[key];
    },
  };
}
