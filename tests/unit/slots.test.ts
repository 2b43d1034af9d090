// The process's slots: never more task runs at once than the count, waiters served in order, a
// slot given back once however often its release is called, and a raised count starts waiters.
import { afterEach, describe, expect, it } from "vitest";
import { setSlotCount, slotCount, slotsInUse, takeSlot } from "../../lib/runner/slots.ts";

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("slots", () => {
  afterEach(() => setSlotCount(1_000));

  it("holds runs past the count until a slot is given back, first come first served", async () => {
    setSlotCount(2);
    expect(slotCount()).toBe(2);
    const first = await takeSlot();
    const second = await takeSlot();
    expect(slotsInUse()).toBe(2);
    const order: string[] = [];
    const third = takeSlot().then((release) => (order.push("third"), release));
    const fourth = takeSlot().then((release) => (order.push("fourth"), release));
    await tick();
    expect(order).toEqual([]);

    first();
    first(); // a second call gives nothing back twice
    await tick();
    expect(order).toEqual(["third"]);
    expect(slotsInUse()).toBe(2);

    second();
    await tick();
    expect(order).toEqual(["third", "fourth"]);
    (await third)();
    (await fourth)();
    expect(slotsInUse()).toBe(0);
  });

  it("starts waiting runs when the count is raised, and lets running ones finish when it is lowered", async () => {
    setSlotCount(1);
    const held = await takeSlot();
    let started = false;
    const waiting = takeSlot().then((release) => ((started = true), release));
    await tick();
    expect(started).toBe(false);
    setSlotCount(2);
    await tick();
    expect(started).toBe(true);
    expect(slotsInUse()).toBe(2);

    setSlotCount(1); // both keep running; a new run waits until none is left
    let next = false;
    const after = takeSlot().then((release) => ((next = true), release));
    held();
    await tick();
    expect(next).toBe(false); // one still running, and the count is 1
    (await waiting)();
    await tick();
    expect(next).toBe(true);
    (await after)();
    expect(slotsInUse()).toBe(0);
  });

  it("refuses a count that is not a whole number of at least 1", () => {
    expect(() => setSlotCount(0)).toThrow(/whole number/);
    expect(() => setSlotCount(1.5)).toThrow(/whole number/);
  });
});
