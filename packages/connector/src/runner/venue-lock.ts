/**
 * One writer per venue in a data dir. The ring file and the day files of a
 * venue have a single producer and a single flusher by design; a second
 * process on the same files interleaves ring sequences and truncates what the
 * first one wrote. The lock is an abstract Unix socket bound under a name
 * derived from the data dir's device and inode and the venue: the kernel
 * refuses a second bind (EADDRINUSE) and frees the name when the holder dies,
 * however it dies, so a SIGKILLed holder never blocks the next start. Why not
 * a lock file or flock: see RELIABILITY.md, "One writer per data dir and venue".
 */
import { statSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { hasErrorCode } from '@marketpipe/middleware/errors';
import { VenueLockedError, type VenueLockHolder } from '../errors.js';

/** A held lock; {@link release} frees it (process death frees it too). */
export interface VenueLock {
  /** The abstract socket name, without the leading NUL (shown by `ss -xlp`, with the holder's pid). */
  readonly name: string;
  release(): Promise<void>;
}

const ASK_TIMEOUT_MS = 2_000;

/**
 * The lock's socket name: the same for every path that reaches the data dir
 * (symlinks, bind mounts), different for each venue.
 */
function lockName(dataDir: string, venue: string): string {
  const { dev, ino } = statSync(dataDir, { bigint: true });
  return `marketpipe/${dev}/${ino}/${venue}`;
}

/**
 * Takes the lock for `venue` in the existing folder `dataDir`, or fails with
 * {@link VenueLockedError} naming the holder's pid.
 *
 * @returns undefined on platforms without abstract Unix sockets (anything but Linux): there is no lock there.
 * @throws {@link VenueLockedError} when another process holds it.
 */
export async function acquireVenueLock(dataDir: string, venue: string): Promise<VenueLock | undefined> {
  if (process.platform !== 'linux') return undefined;
  const name = lockName(dataDir, venue);
  const holder: VenueLockHolder = { pid: process.pid, since: new Date().toISOString() };
  const answer = `${JSON.stringify(holder)}\n`;
  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    socket.end(answer);
  });
  try {
    await listen(server, `\0${name}`);
  } catch (err) {
    if (hasErrorCode(err, 'EADDRINUSE')) throw new VenueLockedError(dataDir, venue, await askHolder(name));
    throw err;
  }
  // The lock must not keep a finished process alive; it lives as long as the process does.
  server.unref();
  return {
    name,
    release: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function listen(server: Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Asks the holder who it is; undefined when it does not answer in time or answers nonsense. */
function askHolder(name: string): Promise<VenueLockHolder | undefined> {
  return new Promise((resolve) => {
    const socket = connect(`\0${name}`);
    let text = '';
    const done = (holder: VenueLockHolder | undefined): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(holder);
    };
    const timer = setTimeout(() => done(undefined), ASK_TIMEOUT_MS);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
    });
    socket.on('error', () => done(undefined));
    socket.on('end', () => done(parseHolder(text)));
  });
}

function parseHolder(text: string): VenueLockHolder | undefined {
  try {
    const value = JSON.parse(text) as Partial<VenueLockHolder>;
    if (Number.isSafeInteger(value.pid) && typeof value.since === 'string') {
      return { pid: value.pid as number, since: value.since };
    }
  } catch {
    // Not one of ours, or cut short: the pid stays unknown.
  }
  return undefined;
}
