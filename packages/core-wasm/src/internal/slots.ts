/**
 * Slot tables of the kernels' flat f64 vectors, defined once by the list of their names.
 */

/** A slot table: each name's index in the vector, plus `SIZE` (the vector's length). */
export type SlotTable<K extends string> = Readonly<Record<K | 'SIZE', number>>;

/** The slot table whose slot i is `names[i]`; `SIZE` = the number of names. */
export function slotTable<const K extends string>(names: readonly K[]): SlotTable<K> {
  const t: Record<string, number> = {};
  names.forEach((n, i) => {
    t[n] = i;
  });
  t.SIZE = names.length;
  return Object.freeze(t) as SlotTable<K>;
}

/** A vector of `table.SIZE` f64 with the named slots set; throws if a slot is missing or unknown. */
export function slotVector<K extends string>(table: SlotTable<K>, values: Readonly<Record<K, number>>): Float64Array {
  const v = new Float64Array(table.SIZE);
  const names = Object.keys(table).filter((k) => k !== 'SIZE') as K[];
  for (const k of names) {
    const x = values[k];
    if (typeof x !== 'number') throw new TypeError(`slot ${k}: no value`);
    v[table[k]] = x;
  }
  for (const k of Object.keys(values)) if (!(k in table) || k === 'SIZE') throw new TypeError(`slot ${k}: not in the table`);
  return v;
}
