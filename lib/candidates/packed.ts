// Rows of flat objects as columns, for sending many rows to the browser once: each key is
// written once instead of once per row (500 candidates: less than half the bytes). Pure, so the
// server packs and the browser unpacks with the same code.

export interface Packed<T> {
  keys: (keyof T & string)[];
  /** One array per key, each as long as the rows. */
  columns: unknown[][];
}

export function packRows<T extends object>(rows: readonly T[]): Packed<T> {
  const keys = (rows.length ? Object.keys(rows[0]) : []) as (keyof T & string)[];
  return { keys, columns: keys.map((key) => rows.map((row) => row[key])) };
}

export function unpackRows<T extends object>(packed: Packed<T>): T[] {
  const count = packed.columns[0]?.length ?? 0;
  const rows: T[] = [];
  for (let i = 0; i < count; i++) {
    const row = {} as Record<string, unknown>;
    packed.keys.forEach((key, k) => (row[key] = packed.columns[k][i]));
    rows.push(row as T);
  }
  return rows;
}
