import { z } from "zod";
import { startAblation } from "@/lib/ablations/create";
import { route } from "@/lib/server/route";

const body = z.object({ iterations: z.number().int().min(1).max(100), offline: z.boolean().optional() }).strict();

/** Starts a feedback ablation: a sibling project per mode, each with one optimization queued for the job worker. */
export const POST = route(
  {
    params: z.object({ id: z.string() }),
    body,
    invalid: "Send { iterations: 1..100, offline?: boolean }.",
    status: 202,
  },
  ({ params, body }) => startAblation(params.id, body.iterations, body.offline),
);
