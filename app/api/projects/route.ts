import { z } from "zod";
import { createProjectFromExample, createProjectFromUpload } from "@/lib/projects/create";
import { route, type RouteContext } from "@/lib/server/route";

const fromExample = route(
  {
    body: z.object({ example: z.string().min(1).max(100) }).strict(),
    invalid: "Send { example: NAME }, or a suite and harness as multipart form data.",
    status: 201,
  },
  ({ body }) => createProjectFromExample(body.example),
);

// The upload's limits are checked while its body streams in, so readUpload reads the request itself.
const fromUpload = route({ status: 201 }, (_input, request) => createProjectFromUpload(request));

/**
 * Creates a project: JSON `{ example }` from a bundled example, or multipart form data with an
 * uploaded suite (a folder's files, or a .zip) and seed harness. 201 `{ projectId, seedCandidateId, tasks }`;
 * 400/413 `{ error, problems?: [{ file, line?, column?, message }] }`, with nothing stored.
 */
export function POST(request: Request, context: RouteContext) {
  const multipart = (request.headers.get("content-type") ?? "").toLowerCase().startsWith("multipart/form-data");
  return (multipart ? fromUpload : fromExample)(request, context);
}
