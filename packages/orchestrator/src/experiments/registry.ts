/**
 * The experiment families this build can run, by name. Both the main thread (spec validation,
 * summaries) and the workers (trials) look experiments up here.
 */
import type { ExperimentDefinition } from './types.js';
import type { ExperimentName } from '../worker/protocol.js';
import { instability } from './instability.js';
import { noncomputability } from './noncomputability.js';
import { analyseExperiment } from './analyse.js';
import { verifyExperiment } from './verify.js';

const registry = new Map<ExperimentName, ExperimentDefinition>([
  ['noncomputability', noncomputability],
  ['instability', instability],
  ['analyse', analyseExperiment],
  ['verify', verifyExperiment],
]);

/** The definition of an experiment family, or undefined when this build has none. */
export function getExperiment(name: ExperimentName): ExperimentDefinition | undefined {
  return registry.get(name);
}

/** Names of the experiments this build can run. */
export function availableExperiments(): ExperimentName[] {
  return [...registry.keys()];
}
