-- Every stored task run was its task's one run in its evaluation: trial 1 of 1 (the defaults backfill them).
-- DropIndex
DROP INDEX "TaskRun_evaluationId_taskId_key";

-- AlterTable
ALTER TABLE "Evaluation" ADD COLUMN     "trials" INTEGER NOT NULL DEFAULT 1;

-- AlterTable
ALTER TABLE "Optimization" ADD COLUMN     "trials" INTEGER;

-- AlterTable
ALTER TABLE "TaskRun" ADD COLUMN     "trial" INTEGER NOT NULL DEFAULT 1;

-- CreateIndex
CREATE UNIQUE INDEX "TaskRun_evaluationId_taskId_trial_key" ON "TaskRun"("evaluationId", "taskId", "trial");
