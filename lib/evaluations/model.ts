// Which model an evaluation ran with. Scores from different models never mix: the search loop's
// selection, the best candidate, the frontier, the charts and the workspace read only the
// evaluations on the project's current model; evaluations on other models (lib/transfer) are
// read by the transfer page alone.
import { Prisma } from "../db/client.ts";

/**
 * SQL over an evaluation `e` and its candidate `c`: the evaluation ran with `c`'s project's
 * current model. Changing the project's model leaves the older scores out, as it should: they
 * say how the harnesses did with another model.
 */
export const onProjectModel = Prisma.sql`e.model = (select pm.model from "Project" pm where pm.id = c."projectId")`;
