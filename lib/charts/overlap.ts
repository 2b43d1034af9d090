// Points of a scatter that would be drawn on top of each other (same score, same cost, as
// candidates that changed nothing that matters): grouped, so the chart can set them side by
// side and label each one, instead of one dot hiding the others.

export interface Spread {
  /** Place within its group, 0-based, in the order the points came. */
  index: number;
  /** How many points share the spot (1: alone). */
  size: number;
}

/**
 * Groups the points that fall within `tolerance` of each other as a share of each axis span
 * (0.03: within 3 % of the width and of the height, about a dot's width on the overview) and gives
 * each its place in its group.
 */
export function spreadOverlaps<T>(
  points: readonly T[],
  position: (point: T) => { x: number; y: number },
  span: { x: number; y: number },
  tolerance = 0.03,
): Spread[] {
  const cellX = Math.max(span.x, Number.MIN_VALUE) * tolerance;
  const cellY = Math.max(span.y, Number.MIN_VALUE) * tolerance;
  const groups: { x: number; y: number; members: number[] }[] = [];
  const groupOf: number[] = [];
  points.forEach((point, i) => {
    const { x, y } = position(point);
    let group = groups.findIndex((g) => Math.abs(g.x - x) <= cellX && Math.abs(g.y - y) <= cellY);
    if (group < 0) group = groups.push({ x, y, members: [] }) - 1;
    groups[group].members.push(i);
    groupOf[i] = group;
  });
  return points.map((_, i) => {
    const members = groups[groupOf[i]].members;
    return { index: members.indexOf(i), size: members.length };
  });
}

/** Horizontal offset in pixels of a point's dot within its group, the group centred on the spot. */
export const spreadOffset = (spread: Spread, gap = 13): number => (spread.index - (spread.size - 1) / 2) * gap;
