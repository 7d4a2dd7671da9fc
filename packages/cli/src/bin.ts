#!/usr/bin/env node
/** The `paradox` executable: runs the CLI on the process's arguments and exits with its code. */
import { main } from './main.js';
import { invocation } from './invocation.js';

// A reader that stops early (`paradox run x --json | head -1`) closes stdout: writing then fails
// with EPIPE. That is not an error of the run: stop it as Ctrl-C would (the batches in flight
// finish and are stored, the run stays resumable) and exit 0, the shell's convention for a
// producer whose consumer had enough.
let stdoutClosed = false;
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED') throw e;
  if (stdoutClosed) return;
  stdoutClosed = true;
  // The run's Ctrl-C handler (if a run is going) stops it cleanly; nothing else listens.
  process.emit('SIGINT', 'SIGINT');
});

const code = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), debug: false, invocation: invocation() });
const exit = stdoutClosed && (code === 0 || code === 130) ? 0 : code;
if (stdoutClosed) process.exit(exit);
// Flush stdout before exiting: a pipe (`paradox run x --json | head`) may still hold data.
process.stdout.write('', () => process.exit(exit));
