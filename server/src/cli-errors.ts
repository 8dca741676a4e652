/**
 * How the command-line entry points (`npm start`, `npm run partners`, `npm run seed`,
 * `npm run scenario`) word an error: one line, no stack trace.
 */

/** `No such file: nope.yaml` and the like, for a failed read of `file`. */
export function fileProblem(file: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return `No such file: ${file}`;
  if (code === 'EISDIR') return `Not a file but a directory: ${file}`;
  if (code === 'EACCES' || code === 'EPERM') return `Not allowed to read ${file}`;
  return `Cannot read ${file}: ${code ?? (err instanceof Error ? err.message : String(err))}`;
}

/** The first line of an error's message (its name when it has none). */
export function oneLine(err: unknown): string {
  const text = err instanceof Error ? err.message || err.name : String(err);
  return text.split('\n')[0]!.trim();
}
