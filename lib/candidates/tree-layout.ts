// Where each candidate of the lineage tree sits: a layered drawing whose layers are known (one
// column per iteration), so no graph library is needed. Nodes have one fixed size, so 300
// candidates stay readable (the panel scrolls). Pure: the browser lays out, tests check it.

export const TREE_SIZE = {
  nodeWidth: 46,
  nodeHeight: 22,
  /** Between two columns: room for the edges to bend. */
  columnGap: 26,
  rowGap: 10,
  /** Around the drawing; the top one holds the column headers. */
  padding: 14,
  header: 22,
} as const;

export interface LayoutNode {
  number: number;
  iteration: number;
  parents: number[];
}

export type Placed<T> = T & {
  /** Top-left corner of the node's box. */
  x: number;
  y: number;
  row: number;
};

export interface TreeEdge {
  /** The parent's and the child's numbers. */
  from: number;
  to: number;
  /** From the parent's right side to the child's left side, at mid-height (or, when both sit in one column, right side to right side). */
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  sameColumn: boolean;
}

export interface TreeLayout<T> {
  /** The iterations that have candidates, left to right, each with its column's left edge. */
  columns: { iteration: number; x: number }[];
  nodes: Placed<T>[];
  edges: TreeEdge[];
  width: number;
  height: number;
}

/**
 * Columns are iterations (those with candidates), ascending. Within a column, each node wants
 * the mean row of its parents in earlier columns (so children sit beside their parents); nodes
 * are taken by that wish, then number, and each gets the first free row at or below it. Nodes
 * with a parent in their own column come last, by number.
 * Parents that are not in the input draw no edge.
 */
export function layoutTree<T extends LayoutNode>(input: readonly T[]): TreeLayout<T> {
  const { nodeWidth, nodeHeight, columnGap, rowGap, padding, header } = TREE_SIZE;
  const iterations = [...new Set(input.map((node) => node.iteration))].sort((a, b) => a - b);
  const columnX = new Map(iterations.map((iteration, index) => [iteration, padding + index * (nodeWidth + columnGap)]));
  const placed = new Map<number, Placed<T>>();

  const wish = (node: T) => {
    const rows = node.parents.flatMap((parent) => {
      const at = placed.get(parent);
      return at ? [at.row] : [];
    });
    return rows.length ? Math.round(rows.reduce((sum, row) => sum + row, 0) / rows.length) : 0;
  };
  for (const iteration of iterations) {
    const column = input.filter((node) => node.iteration === iteration);
    const here = new Set(column.map((node) => node.number));
    // A child of a node in its own column (a person's edit) goes below the nodes of earlier parents.
    const first = column
      .filter((node) => !node.parents.some((parent) => here.has(parent)))
      .map((node) => ({ node, wish: wish(node) }))
      .sort((a, b) => a.wish - b.wish || a.node.number - b.node.number);
    const later = column
      .filter((node) => node.parents.some((parent) => here.has(parent)))
      .sort((a, b) => a.number - b.number);
    let next = 0;
    const place = (node: T, wished: number) => {
      const row = Math.max(wished, next);
      next = row + 1;
      placed.set(node.number, {
        ...node,
        row,
        x: columnX.get(iteration)!,
        y: padding + header + row * (nodeHeight + rowGap),
      });
    };
    for (const { node, wish: wished } of first) place(node, wished);
    for (const node of later) place(node, wish(node));
  }

  const nodes = [...placed.values()].sort((a, b) => a.number - b.number);
  const edges: TreeEdge[] = [];
  for (const child of nodes)
    for (const parentNumber of child.parents) {
      const parent = placed.get(parentNumber);
      if (!parent) continue;
      const sameColumn = parent.x === child.x;
      edges.push({
        from: parent.number,
        to: child.number,
        x1: parent.x + nodeWidth,
        y1: parent.y + nodeHeight / 2,
        x2: sameColumn ? child.x + nodeWidth : child.x,
        y2: child.y + nodeHeight / 2,
        sameColumn,
      });
    }

  const rows = nodes.reduce((most, node) => Math.max(most, node.row + 1), 0);
  return {
    columns: iterations.map((iteration) => ({ iteration, x: columnX.get(iteration)! })),
    nodes,
    edges,
    width: padding * 2 + Math.max(0, iterations.length * (nodeWidth + columnGap) - columnGap),
    height: padding * 2 + header + Math.max(0, rows * (nodeHeight + rowGap) - rowGap),
  };
}

/** An edge as an SVG path: a horizontal S-curve, or a loop out to the right within one column. */
export function edgePath(edge: TreeEdge): string {
  if (edge.sameColumn) {
    const bulge = TREE_SIZE.columnGap * 0.8;
    return `M${edge.x1},${edge.y1} C${edge.x1 + bulge},${edge.y1} ${edge.x2 + bulge},${edge.y2} ${edge.x2},${edge.y2}`;
  }
  const mid = (edge.x1 + edge.x2) / 2;
  return `M${edge.x1},${edge.y1} C${mid},${edge.y1} ${mid},${edge.y2} ${edge.x2},${edge.y2}`;
}
