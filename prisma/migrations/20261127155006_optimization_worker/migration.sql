-- AlterTable
ALTER TABLE "Optimization" ADD COLUMN     "heartbeatAt" TIMESTAMPTZ(3),
ADD COLUMN     "proposerCommand" TEXT,
ADD COLUMN     "proposerKind" "ProposerKind",
ADD COLUMN     "workerId" TEXT;

-- CreateIndex
CREATE INDEX "Optimization_status_idx" ON "Optimization"("status");
