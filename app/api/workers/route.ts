import { liveWorkers } from "@/lib/jobs/workers";
import { route } from "@/lib/server/route";

/** The job workers that are up (any machine on this database): slots, busy, heartbeat, the work each holds. */
export const GET = route({ noStore: true }, () => liveWorkers());
