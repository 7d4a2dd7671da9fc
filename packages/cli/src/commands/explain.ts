/** `paradox explain [TERM]`: what a word of the headline means (μ, P(N), F3, ψ_T, σ, ε_B, …). */
import { findTerm, TERMS, type Term } from '@paradox/orchestrator/summary';
import { println } from '../context.js';
import { UsageError } from '../errors.js';
import { didYouMean } from '../suggest.js';
import type { Command } from './types.js';
import { COMMAND_SUMMARIES } from './names.js';

function names(t: Term): string[] {
  return [t.name, ...t.aliases.filter((a) => a !== t.name)];
}

/** `paradox explain`. */
export const explainCommand: Command = {
  spec: {
    name: 'explain',
    summary: COMMAND_SUMMARIES.explain,
    positionals: [{ name: 'TERM', required: false, description: 'a term (ASCII spellings work: mu, psi, sigma, eps_b, "min(p+,p-)"); omit to list them all' }],
    options: { json: { type: 'boolean', description: 'print the definitions as JSON' } },
    examples: ['paradox explain mu', 'paradox explain F3', 'paradox explain exact-read', 'paradox explain'],
  },
  run: async (args, ctx) => {
    const query = args.positionals[0];
    if (query === undefined) {
      if (args.values.json) {
        println(ctx.stdout, JSON.stringify(TERMS));
        return 0;
      }
      for (const t of TERMS) {
        println(ctx.stdout, `${t.name}`);
        println(ctx.stdout, `  ${t.text} (docs/theory.md §${t.theory})`);
      }
      return 0;
    }
    const t = findTerm(query);
    if (!t) {
      const known = TERMS.flatMap(names);
      throw new UsageError(`explain: unknown term ${JSON.stringify(query)}${didYouMean(query, known)}; expected one of: ${TERMS.map((x) => x.name).join('; ')}`, {
        command: 'explain',
      });
    }
    if (args.values.json) {
      println(ctx.stdout, JSON.stringify(t));
      return 0;
    }
    println(ctx.stdout, `${t.name}${t.aliases.length ? ` (also: ${t.aliases.join(', ')})` : ''}`);
    println(ctx.stdout, `  ${t.text}`);
    println(ctx.stdout, `  Statement and proof: docs/theory.md §${t.theory}.`);
    return 0;
  },
};
