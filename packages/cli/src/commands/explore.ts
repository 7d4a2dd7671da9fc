/** `paradox explore`: the in-browser explorer from @paradox/viz (train live, move μ, m, width). */
import { println } from '../context.js';
import { CliRuntimeError } from '../errors.js';
import { intOption } from '../args.js';
import type { Command } from './types.js';

/** What viz's explorer entry point is expected to look like. */
type StartExplorer = (options: { port?: number; open?: boolean }) => Promise<{ url: string; close(): Promise<void> }>;

/** `paradox explore`. */
export const exploreCommand: Command = {
  spec: {
    name: 'explore',
    summary: 'serve the interactive explorer (core-wasm in your browser) on localhost',
    positionals: [],
    options: { port: { type: 'string', short: 'p', value: 'PORT', description: 'port to listen on (default: a free one)' } },
    examples: ['paradox explore', 'paradox explore --port 5173'],
  },
  run: async (args, ctx) => {
    const port = typeof args.values.port === 'string' ? intOption('explore', 'port', args.values.port, 1, 65535) : undefined;
    let mod: Record<string, unknown>;
    try {
      mod = (await import('@paradox/viz')) as Record<string, unknown>;
    } catch (e) {
      throw new CliRuntimeError(`explore: @paradox/viz could not be loaded: ${(e as Error).message.split('\n')[0]}`);
    }
    const start = mod.startExplorer;
    if (typeof start !== 'function') throw new CliRuntimeError('explore: the explorer is not available in this build (@paradox/viz has no startExplorer yet)', { code: 'E_UNAVAILABLE' });
    const server = await (start as StartExplorer)(port !== undefined ? { port } : {});
    println(ctx.stdout, `Explorer at ${server.url} (Ctrl-C to stop)`);
    await new Promise<void>((resolveStop) => {
      const stop = (): void => {
        process.removeListener('SIGINT', stop);
        void server.close().then(() => resolveStop());
      };
      process.on('SIGINT', stop);
    });
    return 0;
  },
};
