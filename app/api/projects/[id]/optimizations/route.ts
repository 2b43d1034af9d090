import { z } from "zod";
import { startOptimization } from "@/lib/loop/start";
import { route } from "@/lib/server/route";

const body = z.object({ iterations: z.number().int().min(1).max(100), offline: z.boolean().optional() }).strict();

/** Starts N iterations: recorded, then queued for the job worker; never run in this request. */
export const POST = route(
  {
    params: z.object({ id: z.string() }),
    body,
    invalid: "Send { iterations: 1..100, offline?: boolean }.",
    status: 202,
  },
  ({ params, body }) => startOptimization(params.id, body.iterations, body.offline),
);
