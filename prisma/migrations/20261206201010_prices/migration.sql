-- AlterTable
ALTER TABLE "Check" ALTER COLUMN "costUsd" DROP NOT NULL;

-- AlterTable
ALTER TABLE "Evaluation" ALTER COLUMN "costUsd" DROP NOT NULL;

-- AlterTable
ALTER TABLE "Iteration" ALTER COLUMN "costUsd" DROP NOT NULL;

-- AlterTable
ALTER TABLE "TaskRun" ALTER COLUMN "costUsd" DROP NOT NULL;
