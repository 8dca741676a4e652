import {
  open,
  readFile,
  readdir,
  rename,
  stat,
  statfs,
  unlink,
  writeFile,
  chmod,
  mkdir,
  realpath,
  readlink,
  link,
  type FileHandle,
} from 'node:fs/promises';

/**
 * The file-system calls the file store makes, in one place: the production implementation is
 * `nodeDisk`; tests wrap it to make `write`, `sync`, `truncate` or `rename` fail the way a full or
 * failing disk does (ENOSPC, EIO, EDQUOT, EFBIG). Paths are absolute or relative to the cwd.
 */
export interface Disk {
  open(file: string, flags: string, mode?: number): Promise<FileHandle>;
  /** Writes all of `text` at the handle's position (the end, for a handle opened with `a`). */
  write(handle: FileHandle, text: string): Promise<void>;
  /** fsync(2) of a file or a folder handle; fdatasync(2) with `dataOnly` (enough for an append: the size is flushed too). */
  sync(handle: FileHandle, dataOnly?: boolean): Promise<void>;
  truncate(handle: FileHandle, length: number): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  /** link(2): creates `to` for the file `from`; fails with EEXIST when `to` exists (an atomic create). */
  link(from: string, to: string): Promise<void>;
  unlink(file: string): Promise<void>;
  readFile(file: string): Promise<Buffer>;
  writeFile(file: string, text: string, options: { flag: string; mode?: number }): Promise<void>;
  stat(file: string): Promise<{ size: number; mtimeMs: number; mode: number }>;
  chmod(file: string, mode: number): Promise<void>;
  readdir(dir: string): Promise<string[]>;
  mkdir(dir: string): Promise<void>;
  realpath(file: string): Promise<string>;
  /** The target a symbolic link names (EINVAL when `file` is not a link). */
  readlink(file: string): Promise<string>;
  /** Bytes free for us on the file system holding `dir` (statfs(2) `bavail × bsize`). */
  freeBytes(dir: string): Promise<number>;
}

export const nodeDisk: Disk = {
  open: (file, flags, mode) => open(file, flags, mode),
  async write(handle, text) {
    await handle.appendFile(text);
  },
  sync: (handle, dataOnly) => (dataOnly ? handle.datasync() : handle.sync()),
  truncate: (handle, length) => handle.truncate(length),
  rename,
  link,
  unlink,
  readFile: (file) => readFile(file),
  writeFile: (file, text, options) => writeFile(file, text, options),
  stat,
  chmod,
  readdir: (dir) => readdir(dir),
  async mkdir(dir) {
    await mkdir(dir, { recursive: true });
  },
  realpath: (file) => realpath(file),
  readlink: (file) => readlink(file),
  async freeBytes(dir) {
    const s = await statfs(dir);
    return s.bavail * s.bsize;
  },
};

/** fsync of a folder, so that a rename or a new file in it survives a power cut (rename(2) alone does not). */
export async function syncDir(disk: Disk, dir: string): Promise<void> {
  const handle = await disk.open(dir, 'r');
  try {
    await disk.sync(handle);
  } finally {
    await handle.close();
  }
}

/** The errno code of a failed file-system call (`ENOSPC`, `EIO`…), if it has one. */
export function errnoOf(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}
