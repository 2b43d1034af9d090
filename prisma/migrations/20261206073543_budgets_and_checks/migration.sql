-- CreateEnum
CREATE TYPE "CheckKind" AS ENUM ('check_candidate', 'smoke');

-- AlterTable
ALTER TABLE "Evaluation" ADD COLUMN     "stopKind" "StopKind",
ADD COLUMN     "stopReason" TEXT;

-- AlterTable
ALTER TABLE "TaskRun" ADD COLUMN     "checkId" TEXT,
ALTER COLUMN "evaluationId" DROP NOT NULL;

-- CreateTable
CREATE TABLE "Check" (
    "id" TEXT NOT NULL,
    "iterationId" TEXT NOT NULL,
    "kind" "CheckKind" NOT NULL,
    "sha256" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "summary" TEXT NOT NULL DEFAULT '',
    "inputTokens" INTEGER NOT NULL DEFAULT 0,
    "outputTokens" INTEGER NOT NULL DEFAULT 0,
    "costUsd" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Check_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Check_iterationId_createdAt_idx" ON "Check"("iterationId", "createdAt");

-- CreateIndex
CREATE INDEX "TaskRun_checkId_idx" ON "TaskRun"("checkId");

-- AddForeignKey
ALTER TABLE "TaskRun" ADD CONSTRAINT "TaskRun_checkId_fkey" FOREIGN KEY ("checkId") REFERENCES "Check"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Check" ADD CONSTRAINT "Check_iterationId_fkey" FOREIGN KEY ("iterationId") REFERENCES "Iteration"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- A task run belongs to an evaluation or to a check, never to both or neither.
ALTER TABLE "TaskRun" ADD CONSTRAINT "TaskRun_one_owner" CHECK (("evaluationId" IS NULL) <> ("checkId" IS NULL));
