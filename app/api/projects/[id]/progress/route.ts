import { z } from "zod";
import { projectProgress } from "@/lib/projects/progress";
import { route } from "@/lib/server/route";

export const GET = route({ params: z.object({ id: z.string() }), noStore: true }, ({ params }) =>
  projectProgress(params.id),
);
