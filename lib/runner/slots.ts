// This process's sandbox slots: how many task runs it runs at once, over everything it runs. A
// job worker sets the count (`--slots N`), so an evaluation and an optimization it has taken
// share them instead of each starting lanes of its own. Where nobody set one (a CLI run on its
// own), there is no limit but each run's own concurrency.

let capacity = Number.POSITIVE_INFINITY;
let inUse = 0;
const waiting: (() => void)[] = [];

/** Sets the number of slots (a whole number ≥ 1); runs waiting for one may start at once. */
export function setSlotCount(count: number): void {
  if (!Number.isInteger(count) || count < 1) throw new Error(`A slot count is a whole number ≥ 1, not ${count}.`);
  capacity = count;
  startWaiting();
}

function startWaiting(): void {
  while (inUse < capacity && waiting.length) {
    inUse++;
    waiting.shift()!();
  }
}

/** The slot count, or null when there is no limit. */
export function slotCount(): number | null {
  return Number.isFinite(capacity) ? capacity : null;
}

export function slotsInUse(): number {
  return inUse;
}

/** Waits for a free slot and takes it; the answer gives it back (once, however often it is called). */
export async function takeSlot(): Promise<() => void> {
  if (inUse < capacity) inUse++;
  else await new Promise<void>((resolve) => waiting.push(resolve));
  let held = true;
  return () => {
    if (!held) return;
    held = false;
    inUse--;
    startWaiting();
  };
}
