/**
 * The terms the headline uses, defined in plain words: `paradox explain TERM` prints them and the
 * report's "Terms" block lists them, so a reader does not need the paper. The mathematics behind
 * each is in docs/theory.md (section given in `theory`).
 */

/** One defined term. */
export interface Term {
  /** Stable identifier (also the report's anchor, `term-<id>`). */
  id: string;
  /** How the screen and report write it. */
  name: string;
  /** Other spellings `paradox explain` accepts (ASCII forms for a plain keyboard). */
  aliases: string[];
  /** The definition: a few sentences, no formulas a reader must already know. */
  text: string;
  /** Section of docs/theory.md with the statement and proof. */
  theory: string;
}

/** Every term, in the order the report lists them. */
export const TERMS: readonly Term[] = [
  {
    id: 'accurate',
    name: 'accurate',
    aliases: ['accuracy'],
    text: 'A network is accurate when it is correct on every training and validation point: its output is within 1/2 of the true label (0 or 1) at each of them.',
    theory: 'I.1',
  },
  {
    id: 'mu',
    name: 'μ',
    aliases: ['mu', 'radius', 'unstable', 'instability'],
    text: 'The hidden gap of the stripes problem: every data point sits at height 1/2 ± μ in x₂ according to its class, although the true class depends on x₁ only. A network is unstable at radius μ when an attack moves some data point by at most μ to a place where the network is wrong.',
    theory: 'I.2',
  },
  {
    id: 'm',
    name: 'm',
    aliases: ['stripes'],
    text: 'The number of stripes: the true class alternates 0, 1, 0, … across m vertical stripes of the unit square, so a classifier must change its answer m − 1 times along x₁.',
    theory: 'I.2',
  },
  {
    id: 'pn',
    name: 'P(N)',
    aliases: ['p(n)', 'pn', 'piece-bound', 'pieces'],
    text: 'The piece bound of an architecture N = (N₀, …, N_L): P(N) = (N₁ + 1)(N₂ + 1)…(N_{L−1} + 1). Along any line, a ReLU network of that architecture has at most P(N) linear pieces, whatever its weights.',
    theory: 'I.1',
  },
  {
    id: 'f3',
    name: 'F3',
    aliases: ['f4', 'dichotomy'],
    text: 'The dichotomy for a fixed architecture: if m − 1 > P(N) and the data cover every stripe, every accurate network of that architecture is unstable at radius μ (at ⌈(m − 1 − P(N))/2⌉ or more data points). F4 is the other horn: a network that is stable there is wrong at that many points. Where m − 1 ≤ P(N), F3 predicts nothing; what trained networks do there is an observation.',
    theory: 'I.5',
  },
  {
    id: 'sigma',
    name: 'σ',
    aliases: ['sigma', 'shortcut', 'f1'],
    text: 'The shortcut network (method shortcut, fact F1): two ReLU units that read the class from the hidden feature x₂. It is correct on every data point and unstable at radius exactly μ at each of them — the reference "accurate but unstable" network, constructed, not trained.',
    theory: 'I.3',
  },
  {
    id: 'psi',
    name: 'ψ_T',
    aliases: ['psi', 'psi_t', 'construct-stable', 'f2', 'stable'],
    text: 'The stable network built from the training set T (method construct-stable, fact F2): one ramp per label change between observed stripes, so its width grows with the data. It is correct on a ball of radius δ > μ around every data point whose stripe T observed: accurate and stable networks exist, but not with a fixed architecture.',
    theory: 'I.4',
  },
  {
    id: 'epsb',
    name: 'ε_B',
    aliases: ['eps_b', 'epsb', 'breakdown', 'breakdown-epsilon', 'epsilon'],
    text: 'The breakdown epsilon of a hard pair: half the distance s* between the two inputs’ true minimisers. Below ε_B no network is ε-close to both minimisers, so an algorithm that cannot tell the inputs apart succeeds on at most one of them; at ε ≥ ε_B one network, (s*/2)(z₁ + z₂), is close to both.',
    theory: 'II.4',
  },
  {
    id: 'min-p',
    name: 'min(p⁺, p⁻)',
    aliases: ['min(p+,p-)', 'min(p+, p-)', 'minp', 'p+', 'p-', 'success'],
    text: 'The worst-case success probability of an algorithm on a hard pair: p⁺ and p⁻ are its chances of returning an ε-accurate minimiser on the two inputs ι⁺ and ι⁻, and an algorithm is only reliable if both are high. Theorem H: where every read is hidden (readBits ≤ K under the adversarial oracle) and ε < ε_B, min(p⁺, p⁻) ≤ 1/2 for every algorithm.',
    theory: 'II.5',
  },
  {
    id: 'k',
    name: 'K and readBits',
    aliases: ['k', 'readbits', 'read-bits', 'oracle', 'hidden'],
    text: 'The two inputs of the hard pair at level K differ by 2^−K. An algorithm sees the data only through reads at n bits of precision (readBits is its budget). Under the adversarial oracle a read at n ≤ K returns the same answer for both inputs, so the sign is hidden; at n ≥ K + 1 an honest answer can reveal it.',
    theory: 'II.5',
  },
  {
    id: 'gd',
    name: 'gd, sgd, adam, anneal, restarts',
    aliases: ['gd', 'sgd', 'adam', 'anneal', 'restarts', 'optimisers', 'optimizers'],
    text: 'Optimisers that minimise the training cost on the data they read: proximal gradient descent (full batch or minibatch), Adam, simulated annealing, and restarts of an inner method. The theorem bounds them like every algorithm; they often do worse than 1/2.',
    theory: 'II.8',
  },
  {
    id: 'coin',
    name: 'coin',
    aliases: [],
    text: 'Solves the problem for coordinates 1 and 2 and returns one of the two solutions by a fair coin: p⁺ = p⁻ = 1/2, the best any algorithm can do where the sign is hidden.',
    theory: 'II.6',
  },
  {
    id: 'hedge',
    name: 'hedge',
    aliases: [],
    text: 'Returns the network halfway between the two candidate minimisers, (s̃/2)(z₁ + z₂). It fails on both inputs for every ε < ε_B and succeeds on both for ε ≥ ε_B: it shows the jump at ε_B.',
    theory: 'II.6',
  },
  {
    id: 'exact-read',
    name: 'exact-read',
    aliases: ['exactread'],
    text: 'Solves the reduced problem for every coordinate and returns the cheapest; equal columns are split by a fair coin. Where reads are hidden (readBits ≤ K) coordinates 1 and 2 look identical and it succeeds with probability 1/2 on each input; from readBits = K + 1 on it tells them apart and succeeds on both, up to the read error.',
    theory: 'II.6',
  },
  {
    id: 'escalate',
    name: 'escalate',
    aliases: [],
    text: 'Reads at 8, 16, 32, … bits and finally its budget until a read certifies which of coordinates 1 and 2 is larger, then answers with that coordinate; otherwise it tosses a coin. It succeeds on both inputs once its budget is at least K + 2, and already at K + 1 when some data scale c_j exceeds 3/4 (docs/theory.md §II.6).',
    theory: 'II.6',
  },
];

/** The term `query` names (case-insensitive, by name, id or alias), or undefined. */
export function findTerm(query: string): Term | undefined {
  const q = query.trim().toLowerCase().replace(/\s+/g, '');
  return TERMS.find((t) => [t.id, t.name, ...t.aliases].some((n) => n.toLowerCase().replace(/\s+/g, '') === q));
}
