import { describe, expect, it } from "vitest";
import { TREE_SIZE, edgePath, layoutTree } from "../../../lib/candidates/tree-layout.ts";

const { nodeWidth, nodeHeight, columnGap, rowGap, padding, header } = TREE_SIZE;
const columnX = (index: number) => padding + index * (nodeWidth + columnGap);
const rowY = (row: number) => padding + header + row * (nodeHeight + rowGap);

describe("layoutTree", () => {
  // #1 seed; iteration 1 wrote #2 and #3 from #1; iteration 3 wrote #4 from #2 and #3 (two
  // parents) and #5 from #3; #6 is a person's edit of #4 in iteration 3's column.
  const nodes = [
    { number: 1, iteration: 0, parents: [] },
    { number: 2, iteration: 1, parents: [1] },
    { number: 3, iteration: 1, parents: [1] },
    { number: 4, iteration: 3, parents: [2, 3] },
    { number: 5, iteration: 3, parents: [3] },
    { number: 6, iteration: 3, parents: [4] },
  ];
  const layout = layoutTree(nodes);
  const at = (number: number) => layout.nodes.find((node) => node.number === number)!;

  it("puts each iteration in its own column, left to right, skipping iterations without candidates", () => {
    expect(layout.columns).toEqual([
      { iteration: 0, x: columnX(0) },
      { iteration: 1, x: columnX(1) },
      { iteration: 3, x: columnX(2) },
    ]);
    expect(layout.nodes.map((node) => [node.number, node.x])).toEqual([
      [1, columnX(0)],
      [2, columnX(1)],
      [3, columnX(1)],
      [4, columnX(2)],
      [5, columnX(2)],
      [6, columnX(2)],
    ]);
  });

  it("sets a child beside its parents' mean row, each in the first free row at or below it", () => {
    expect([1, 2, 3, 4, 5, 6].map((number) => at(number).row)).toEqual([0, 0, 1, 1, 2, 3]);
    expect(at(4).y).toBe(rowY(1));
    expect(layout.width).toBe(columnX(2) + nodeWidth + padding);
    expect(layout.height).toBe(rowY(3) + nodeHeight + padding);
  });

  it("draws one edge per parent, from the parent's right side to the child's left side", () => {
    expect(layout.edges.filter((edge) => edge.to === 4)).toEqual([
      {
        from: 2,
        to: 4,
        x1: columnX(1) + nodeWidth,
        y1: rowY(0) + nodeHeight / 2,
        x2: columnX(2),
        y2: rowY(1) + nodeHeight / 2,
        sameColumn: false,
      },
      {
        from: 3,
        to: 4,
        x1: columnX(1) + nodeWidth,
        y1: rowY(1) + nodeHeight / 2,
        x2: columnX(2),
        y2: rowY(1) + nodeHeight / 2,
        sameColumn: false,
      },
    ]);
    expect(layout.edges).toHaveLength(6);
  });

  it("loops an edge within one column out to the right, side to side", () => {
    const edge = layout.edges.find((candidate) => candidate.to === 6)!;
    expect(edge).toMatchObject({ from: 4, sameColumn: true, x1: columnX(2) + nodeWidth, x2: columnX(2) + nodeWidth });
    expect(edgePath(edge)).toMatch(new RegExp(`^M${edge.x1},${edge.y1} C${edge.x1 + columnGap * 0.8},`));
  });

  it("draws no edge to a parent that is not in the tree, and lays out nothing as an empty drawing", () => {
    expect(layoutTree([{ number: 9, iteration: 2, parents: [7] }]).edges).toEqual([]);
    expect(layoutTree([])).toEqual({
      columns: [],
      nodes: [],
      edges: [],
      width: padding * 2,
      height: padding * 2 + header,
    });
  });

  it("keeps 300 candidates at one node size, no two nodes in one place", () => {
    const many = Array.from({ length: 300 }, (_, index) => ({
      number: index + 1,
      iteration: index === 0 ? 0 : Math.ceil(index / 3),
      parents: index === 0 ? [] : [Math.max(1, index - 2 - (index % 5)), ...(index % 4 === 0 ? [1] : [])],
    }));
    const big = layoutTree(many);
    expect(big.columns).toHaveLength(101);
    expect(new Set(big.nodes.map((node) => `${node.x},${node.y}`)).size).toBe(300);
    expect(big.edges).toHaveLength(299 + 74);
    // Children stay near their parents: the drawing grows along the iterations, not downwards.
    expect(big.height).toBeLessThan(rowY(12));
  });
});
