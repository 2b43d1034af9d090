// How many task runs ran at once, from their start and finish times: what tests of slots,
// spreading and concurrency limits assert.

/** The most task runs that were running at one moment. */
export function mostAtOnce(runs: { startedAt: Date | null; finishedAt: Date | null }[]): number {
  const edges = runs.flatMap((run) => [
    { at: run.startedAt!.getTime(), step: 1 },
    { at: run.finishedAt!.getTime(), step: -1 },
  ]);
  edges.sort((a, b) => a.at - b.at || a.step - b.step); // an end before a start at the same ms
  let now = 0;
  let most = 0;
  for (const edge of edges) most = Math.max(most, (now += edge.step));
  return most;
}
