// `--slots N` (or STUDIO_SLOTS): how many task runs one job worker runs at once; default the cores.
import os from "node:os";
import { StudioError } from "../errors.ts";

export function slotsOption(value: string | undefined): number {
  const raw = value ?? process.env.STUDIO_SLOTS;
  if (raw === undefined || raw === "") return os.availableParallelism();
  const slots = Number(raw);
  if (!Number.isInteger(slots) || slots < 1 || slots > 256)
    throw new StudioError(`--slots must be a whole number from 1 to 256, not “${raw}”.`);
  return slots;
}
