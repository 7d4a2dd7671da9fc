/** `paradox explore`: the in-browser explorer from @paradox/viz (train live, move μ, m, width). */
import { println } from '../context.js';
import { CliRuntimeError } from '../errors.js';
import { intOption } from '../args.js';
import type { Command } from './types.js';
import { COMMAND_SUMMARIES } from './names.js';

/** `paradox explore`. */
export const exploreCommand: Command = {
  spec: {
    name: 'explore',
    summary: COMMAND_SUMMARIES.explore,
    positionals: [],
    options: { port: { type: 'string', short: 'p', value: 'PORT', description: 'port to listen on (default: a free one)' } },
    examples: ['paradox explore', 'paradox explore --port 5173'],
  },
  run: async (args, ctx) => {
    const port = typeof args.values.port === 'string' ? intOption('explore', 'port', args.values.port, 1, 65535) : undefined;
    const { startExplorer } = await import('@paradox/viz');
    let server: Awaited<ReturnType<typeof startExplorer>>;
    try {
      server = await startExplorer(port !== undefined ? { port } : {});
    } catch (e) {
      // Not built, or the port is taken: both are conditions of this machine, not bugs.
      throw new CliRuntimeError(`explore: ${(e as Error).message}`, { cause: e });
    }
    println(ctx.stdout, `Explorer at ${server.url} (Ctrl-C to stop)`);
    await new Promise<void>((resolveStop) => {
      const stop = (): void => {
        process.removeListener('SIGINT', stop);
        process.removeListener('SIGTERM', stop);
        void server.close().then(() => resolveStop());
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    return 0;
  },
};
