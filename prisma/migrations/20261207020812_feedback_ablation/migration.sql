-- CreateEnum
CREATE TYPE "FeedbackMode" AS ENUM ('raw', 'summary', 'scores');

-- AlterTable
ALTER TABLE "Optimization" ADD COLUMN     "feedback" "FeedbackMode" NOT NULL DEFAULT 'raw';

-- AlterTable
ALTER TABLE "Project" ADD COLUMN     "ablationId" TEXT;

-- CreateTable
CREATE TABLE "Ablation" (
    "id" TEXT NOT NULL,
    "sourceProjectId" TEXT,
    "name" TEXT NOT NULL,
    "iterations" INTEGER NOT NULL,
    "simulated" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Ablation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TraceSummary" (
    "taskRunId" TEXT NOT NULL,
    "iterationId" TEXT,
    "text" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "inputTokens" INTEGER NOT NULL DEFAULT 0,
    "outputTokens" INTEGER NOT NULL DEFAULT 0,
    "costUsd" DOUBLE PRECISION DEFAULT 0,
    "simulated" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "TraceSummary_pkey" PRIMARY KEY ("taskRunId")
);

-- CreateIndex
CREATE INDEX "Ablation_sourceProjectId_createdAt_idx" ON "Ablation"("sourceProjectId", "createdAt");

-- CreateIndex
CREATE INDEX "TraceSummary_iterationId_idx" ON "TraceSummary"("iterationId");

-- CreateIndex
CREATE INDEX "Project_ablationId_idx" ON "Project"("ablationId");

-- AddForeignKey
ALTER TABLE "Project" ADD CONSTRAINT "Project_ablationId_fkey" FOREIGN KEY ("ablationId") REFERENCES "Ablation"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Ablation" ADD CONSTRAINT "Ablation_sourceProjectId_fkey" FOREIGN KEY ("sourceProjectId") REFERENCES "Project"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TraceSummary" ADD CONSTRAINT "TraceSummary_taskRunId_fkey" FOREIGN KEY ("taskRunId") REFERENCES "TaskRun"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TraceSummary" ADD CONSTRAINT "TraceSummary_iterationId_fkey" FOREIGN KEY ("iterationId") REFERENCES "Iteration"("id") ON DELETE SET NULL ON UPDATE CASCADE;
