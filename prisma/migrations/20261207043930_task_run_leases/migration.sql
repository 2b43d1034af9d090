-- AlterTable
ALTER TABLE "Evaluation" ADD COLUMN     "halt" JSONB;

-- AlterTable
ALTER TABLE "TaskRun" ADD COLUMN     "workerId" TEXT;
