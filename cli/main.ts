// The `craft` command's entry point (bin/craft.js loads it through tsx): parses, runs the
// command, prints errors to stderr and exits with the documented code (errors.ts).
import { CommanderError } from 'commander';
import { AppError } from '../domain/errors.js';
import { describeError, exitCodeFor, EXIT } from './errors.js';
import { buildProgram, type ProgramResult } from './program.js';

// A closed pipe (craft … | head) is not an error of ours: stop writing, exit as usual.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

export async function main(argv: string[] = process.argv.slice(2)): Promise<number> {
  const result: ProgramResult = { exitCode: EXIT.ok };
  const program = buildProgram(result);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return result.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version end in 0; every other parse error was already printed: usage (2).
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.exitCode === 0) return EXIT.ok;
      return EXIT.usage;
    }
    let message = describeError(error);
    if (error instanceof AppError && error.code === 'unauthorized' && /not valid|expired|revoked|sign in again/i.test(message))
      message += ' Run `craft login` to sign in again.';
    if (error instanceof AppError && error.code === 'offline' && result.connection?.kind === 'embedded')
      message += ` "${result.connection.name}" is the desktop app's own platform: start Craft MLOps Desktop, or pick a team platform with \`craft connections use NAME\`.`;
    process.stderr.write(`craft: ${message}\n`);
    return exitCodeFor(error);
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`craft: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(EXIT.failure);
  },
);
