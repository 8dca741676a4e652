import lockfile from 'proper-lockfile';

/**
 * What a crashed process leaves behind: its data file lock released without the store being closed
 * (no compaction). A real crash leaves a lock that goes stale after 10 s; this drops it at once.
 */
export function simulateCrash(dataFile: string): Promise<void> {
  return lockfile.unlock(dataFile, { realpath: false });
}
