// Renaming and deleting a project, for the API, the CLI and the projects page alike. A delete
// removes everything of the project: its rows go by the schema's cascades (suite, tasks,
// candidates, evaluations, task runs, traces, iterations, checks, instructions, optimizations)
// and its proposer workspace folder goes with them. Work still running is refused rather than
// pulled from under its worker; a queued job of a deleted project finds no row and ends.
import fs from "node:fs";
import { db } from "../db/client.ts";
import { StudioError } from "../errors.ts";
import { workspaceDir } from "../iterations/run.ts";
import { claimLive } from "../jobs/lease.ts";
import { noSuchProject } from "./queries.ts";

export const MAX_PROJECT_NAME = 200;

export async function renameProject(projectId: string, name: string): Promise<{ id: string; name: string }> {
  const trimmed = name.trim();
  if (!trimmed) throw new StudioError("A project's name cannot be empty.", { code: "invalid" });
  if (trimmed.length > MAX_PROJECT_NAME)
    throw new StudioError(`A project's name is at most ${MAX_PROJECT_NAME} characters.`, { code: "invalid" });
  const { count } = await db.project.updateMany({ where: { id: projectId }, data: { name: trimmed } });
  if (count === 0) throw noSuchProject(projectId);
  return { id: projectId, name: trimmed };
}

export interface DeletedProject {
  id: string;
  name: string;
  candidates: number;
  taskRuns: number;
}

export async function deleteProject(projectId: string): Promise<DeletedProject> {
  const project = await db.project.findUnique({ where: { id: projectId }, select: { id: true, name: true } });
  if (!project) throw noSuchProject(projectId);
  const lease = { workerId: true, leaseId: true, heartbeatAt: true } as const;
  const [optimizations, evaluations] = await Promise.all([
    db.optimization.findMany({ where: { projectId, status: "running" }, select: lease }),
    db.evaluation.findMany({ where: { candidate: { projectId }, status: "running" }, select: lease }),
  ]);
  if ([...optimizations, ...evaluations].some(claimLive))
    throw new StudioError(`Project "${project.name}" has work running; cancel it and delete once it has stopped.`, {
      code: "conflict",
      hint: `npx studio cancel --project ${projectId}`,
    });
  const [candidates, taskRuns] = await Promise.all([
    db.candidate.count({ where: { projectId } }),
    db.taskRun.count({ where: { task: { suite: { projectId } } } }),
  ]);
  await db.project.delete({ where: { id: projectId } });
  await fs.promises.rm(workspaceDir(projectId), { recursive: true, force: true });
  return { id: project.id, name: project.name, candidates, taskRuns };
}
