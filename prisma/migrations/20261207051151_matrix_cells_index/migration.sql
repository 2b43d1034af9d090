-- CreateIndex
CREATE INDEX "TaskRun_evaluationId_taskId_status_score_idx" ON "TaskRun"("evaluationId", "taskId", "status", "score");
