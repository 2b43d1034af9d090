import { z } from "zod";
import { cancelProject } from "@/lib/loop/cancel";
import { route } from "@/lib/server/route";

/** Asks the project's running optimization (and its evaluations) to stop after the work in flight. */
export const POST = route({ params: z.object({ id: z.string() }) }, async ({ params }) => ({
  cancelled: (await cancelProject(params.id)).optimizations,
}));
