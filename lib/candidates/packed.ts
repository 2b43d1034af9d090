// Rows of flat objects as columns, for sending many rows to the browser once: each key is
// written once instead of once per row, and a column whose rows all hold the same value (no
// test score yet, nothing evaluating, every candidate valid) as that one value. 500 candidates:
// less than half the bytes. Pure, so the server packs and the browser unpacks with the same code.

/** A column of one value for every row. */
interface Same {
  same: unknown;
}

export interface Packed<T> {
  keys: (keyof T & string)[];
  count: number;
  /** One per key: an array as long as the rows, or the value they all share. */
  columns: (unknown[] | Same)[];
}

const isPrimitive = (value: unknown) => value === null || typeof value !== "object";

export function packRows<T extends object>(rows: readonly T[]): Packed<T> {
  const keys = (rows.length ? Object.keys(rows[0]) : []) as (keyof T & string)[];
  return {
    keys,
    count: rows.length,
    columns: keys.map((key) => {
      const values = rows.map((row) => row[key] as unknown);
      const first = values[0];
      return rows.length > 1 && isPrimitive(first) && values.every((value) => value === first)
        ? { same: first }
        : values;
    }),
  };
}

export function unpackRows<T extends object>(packed: Packed<T>): T[] {
  const rows: T[] = [];
  for (let i = 0; i < packed.count; i++) {
    const row = {} as Record<string, unknown>;
    packed.keys.forEach((key, k) => {
      const column = packed.columns[k];
      row[key] = Array.isArray(column) ? column[i] : column.same;
    });
    rows.push(row as T);
  }
  return rows;
}
