// Reading and writing slot i of a flat f64 vector in linear memory (the configuration, option and
// result vectors whose slots ./slots.ts names). Not exported from the module.

/** Slot i of the f64 vector at v. */
@inline export function at(v: usize, i: i32): f64 {
  return load<f64>(v + (<usize>i << 3));
}

/** Set slot i of the f64 vector at v. */
@inline export function put(v: usize, i: i32, x: f64): void {
  store<f64>(v + (<usize>i << 3), x);
}
