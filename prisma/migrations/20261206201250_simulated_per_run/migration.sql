-- Simulated is a property of a run (Evaluation, Iteration, Optimization), no longer of a project.
-- Leases name their claim (leaseId), so a live claim is exclusive even within one worker.

-- AlterTable
ALTER TABLE "Evaluation" ADD COLUMN     "leaseId" TEXT;

-- AlterTable
ALTER TABLE "Optimization" ADD COLUMN     "leaseId" TEXT;

-- AlterTable
ALTER TABLE "Project" DROP COLUMN "simulated";
