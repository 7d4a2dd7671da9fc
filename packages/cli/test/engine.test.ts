/** The line printed after a session: it counts the trials the results use, and says what it leaves out. */
import { describe, expect, it } from 'vitest';
import { finishedLine } from '../src/engine.js';

describe('finishedLine', () => {
  it('rates the trials the results use over the session time', () => {
    expect(finishedLine({ status: 'complete', trialsRun: 3000, trialsUsed: 3000, elapsedMs: 1500 }, 'small')).toBe('Finished small: 3,000 trials in 1.5 s (2,000 trials/s).');
  });

  it('names the trials run past a stopping point and leaves them out of the count and the rate', () => {
    const line = finishedLine({ status: 'complete', trialsRun: 67_600, trialsUsed: 62_400, elapsedMs: 2000 }, 'breakdown');
    expect(line).toBe("Finished breakdown: 62,400 trials in 2.0 s (31,200 trials/s). 5,200 more trials were run past the stopping rule's decision and discarded.");
    expect(finishedLine({ status: 'cancelled', trialsRun: 11, trialsUsed: 10, elapsedMs: 1000 }, 'x')).toBe(
      "Stopped x: 10 trials in 1.0 s (10.0 trials/s). 1 more trial was run past the stopping rule's decision and discarded.",
    );
  });

  it('a session with no time has rate 0, not NaN or Infinity', () => {
    expect(finishedLine({ status: 'complete', trialsRun: 0, trialsUsed: 0, elapsedMs: 0 }, 'done')).toBe('Finished done: 0 trials in 0.0 s (0 trials/s).');
  });
});
