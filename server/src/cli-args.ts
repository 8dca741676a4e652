import { Command, CommanderError } from 'commander';

/**
 * The argument check of the command-line entry points that take no arguments (`npm start`,
 * `npm run partners`, `npm run seed`; their settings come from the environment, README
 * "Configuration"): `--help` prints `description` and the usage, and anything else given is refused
 * in one line (commander's wording). Returns true when the command should run; otherwise it has set
 * `process.exitCode` (0 after `--help`, 1 after an error) and nothing should be done.
 */
export function takesNoArguments(name: string, description: string, argv: string[] = process.argv.slice(2)): boolean {
  const program = new Command(name)
    .description(description)
    .allowExcessArguments(false)
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  try {
    program.parse(argv, { from: 'user' });
    return true;
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    process.exitCode = err.exitCode;
    return false;
  }
}
