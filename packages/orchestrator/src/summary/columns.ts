/**
 * How summaries read per-trial columns: by name, streamed in trial order, re-iterable (exact
 * quantiles take several passes).
 */
import type { ValueStream } from '../stats/moments.js';

/** Returns the stream of a column of the counted trials, or an empty stream when the column is absent. */
export type ColumnSource = (name: string) => ValueStream;
