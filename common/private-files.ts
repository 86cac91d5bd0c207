// Owner-only folders (0700) and files (0600), whatever existed before: a data folder holds the
// database and the master key, so no other user of the machine may read it, or even list it.
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';

/** Creates the folder (and its parents) when missing, and narrows it to 0700 either way. */
export function privateFolder(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

/** Creates the file empty when missing, and narrows it to 0600 either way. */
export function privateFile(file: string): void {
  closeSync(openSync(file, 'a', 0o600));
  chmodSync(file, 0o600);
}

/** Narrows to 0600 the files of this list that exist (left by an older version). */
export function narrowExisting(files: string[]): void {
  for (const file of files) if (existsSync(file)) chmodSync(file, 0o600);
}

/**
 * A SQLite database file and its companions, owner-only: SQLite gives the -wal and -shm files it
 * creates the mode of the database file, so creating that one 0600 first is enough for new ones.
 */
export function privateSqliteFile(file: string): void {
  privateFile(file);
  narrowExisting([`${file}-wal`, `${file}-shm`, `${file}-journal`]);
}
