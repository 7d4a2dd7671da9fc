#!/usr/bin/env node
/** The `paradox` executable: runs the CLI on the process's arguments and exits with its code. */
import { main } from './main.js';

const code = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), debug: false });
// Flush stdout before exiting: a pipe (`paradox run x --json | head`) may still hold data.
process.stdout.write('', () => process.exit(code));
