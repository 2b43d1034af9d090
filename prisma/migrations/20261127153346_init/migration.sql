-- CreateEnum
CREATE TYPE "Split" AS ENUM ('search', 'test');

-- CreateEnum
CREATE TYPE "SuiteMode" AS ENUM ('independent', 'sequential');

-- CreateEnum
CREATE TYPE "CandidateOrigin" AS ENUM ('seed', 'proposer', 'person');

-- CreateEnum
CREATE TYPE "CandidateStatus" AS ENUM ('pending', 'valid', 'rejected');

-- CreateEnum
CREATE TYPE "WorkStatus" AS ENUM ('queued', 'running', 'done', 'failed', 'cancelled');

-- CreateEnum
CREATE TYPE "TaskRunStatus" AS ENUM ('pending', 'running', 'passed', 'failed', 'error');

-- CreateEnum
CREATE TYPE "ProposerKind" AS ENUM ('claude', 'command', 'offline');

-- CreateTable
CREATE TABLE "Project" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "model" TEXT NOT NULL DEFAULT 'claude-sonnet-5-5',
    "proposerKind" "ProposerKind" NOT NULL DEFAULT 'claude',
    "proposerModel" TEXT NOT NULL DEFAULT 'claude-opus-5-5',
    "proposerCommand" TEXT,
    "candidatesPerIteration" INTEGER NOT NULL DEFAULT 3,
    "settings" JSONB NOT NULL DEFAULT '{}',
    "simulated" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Project_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TaskSuite" (
    "id" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "mode" "SuiteMode" NOT NULL DEFAULT 'independent',
    "grader" JSONB NOT NULL,
    "graderSource" TEXT,
    "timeoutMs" INTEGER NOT NULL DEFAULT 60000,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "TaskSuite_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Task" (
    "id" TEXT NOT NULL,
    "suiteId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "split" "Split" NOT NULL,
    "position" INTEGER NOT NULL,
    "input" JSONB NOT NULL,
    "expected" JSONB NOT NULL,
    "meta" JSONB,
    "envFiles" JSONB,

    CONSTRAINT "Task_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Candidate" (
    "id" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "number" INTEGER NOT NULL,
    "source" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "origin" "CandidateOrigin" NOT NULL,
    "status" "CandidateStatus" NOT NULL DEFAULT 'pending',
    "rejectReason" TEXT,
    "rationale" TEXT,
    "hypothesis" TEXT,
    "axis" TEXT,
    "iterationId" TEXT,
    "iterationNumber" INTEGER,
    "simulated" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Candidate_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CandidateParent" (
    "childId" TEXT NOT NULL,
    "parentId" TEXT NOT NULL,

    CONSTRAINT "CandidateParent_pkey" PRIMARY KEY ("childId","parentId")
);

-- CreateTable
CREATE TABLE "Evaluation" (
    "id" TEXT NOT NULL,
    "candidateId" TEXT NOT NULL,
    "split" "Split" NOT NULL,
    "status" "WorkStatus" NOT NULL DEFAULT 'queued',
    "score" DOUBLE PRECISION,
    "inputTokens" INTEGER NOT NULL DEFAULT 0,
    "outputTokens" INTEGER NOT NULL DEFAULT 0,
    "costUsd" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "durationMs" INTEGER NOT NULL DEFAULT 0,
    "taskCount" INTEGER NOT NULL DEFAULT 0,
    "passedCount" INTEGER NOT NULL DEFAULT 0,
    "failedCount" INTEGER NOT NULL DEFAULT 0,
    "errorCount" INTEGER NOT NULL DEFAULT 0,
    "isolation" TEXT,
    "concurrency" INTEGER,
    "simulated" BOOLEAN NOT NULL DEFAULT false,
    "error" TEXT,
    "cancelRequested" BOOLEAN NOT NULL DEFAULT false,
    "workerId" TEXT,
    "heartbeatAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMPTZ(3),
    "finishedAt" TIMESTAMPTZ(3),

    CONSTRAINT "Evaluation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TaskRun" (
    "id" TEXT NOT NULL,
    "evaluationId" TEXT NOT NULL,
    "taskId" TEXT NOT NULL,
    "status" "TaskRunStatus" NOT NULL DEFAULT 'pending',
    "output" JSONB,
    "score" DOUBLE PRECISION,
    "gradeExplanation" TEXT,
    "errorKind" TEXT,
    "errorMessage" TEXT,
    "inputTokens" INTEGER NOT NULL DEFAULT 0,
    "outputTokens" INTEGER NOT NULL DEFAULT 0,
    "costUsd" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "durationMs" INTEGER,
    "eventCount" INTEGER NOT NULL DEFAULT 0,
    "startedAt" TIMESTAMPTZ(3),
    "finishedAt" TIMESTAMPTZ(3),

    CONSTRAINT "TaskRun_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TraceEvent" (
    "id" BIGSERIAL NOT NULL,
    "taskRunId" TEXT,
    "iterationId" TEXT,
    "seq" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "time" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "durationMs" INTEGER,
    "name" TEXT,
    "gen_ai_system" TEXT,
    "gen_ai_operation_name" TEXT,
    "gen_ai_request_model" TEXT,
    "gen_ai_response_model" TEXT,
    "gen_ai_response_id" TEXT,
    "gen_ai_response_finish_reasons" TEXT[],
    "gen_ai_usage_input_tokens" INTEGER,
    "gen_ai_usage_output_tokens" INTEGER,
    "costUsd" DOUBLE PRECISION,
    "preview" TEXT NOT NULL DEFAULT '',
    "body" JSONB,
    "bodyBytes" INTEGER NOT NULL DEFAULT 0,
    "truncated" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "TraceEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Iteration" (
    "id" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "number" INTEGER NOT NULL,
    "status" "WorkStatus" NOT NULL DEFAULT 'queued',
    "stage" TEXT,
    "proposerKind" "ProposerKind" NOT NULL,
    "instructionVersionId" TEXT,
    "optimizationId" TEXT,
    "inputTokens" INTEGER NOT NULL DEFAULT 0,
    "outputTokens" INTEGER NOT NULL DEFAULT 0,
    "costUsd" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "filesRead" TEXT[],
    "filesReadCount" INTEGER NOT NULL DEFAULT 0,
    "progress" JSONB NOT NULL DEFAULT '{}',
    "error" TEXT,
    "stopReason" TEXT,
    "simulated" BOOLEAN NOT NULL DEFAULT false,
    "cancelRequested" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMPTZ(3),
    "finishedAt" TIMESTAMPTZ(3),

    CONSTRAINT "Iteration_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "InstructionVersion" (
    "id" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "text" TEXT NOT NULL,
    "note" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "InstructionVersion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Optimization" (
    "id" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "iterationsRequested" INTEGER NOT NULL,
    "iterationsDone" INTEGER NOT NULL DEFAULT 0,
    "status" "WorkStatus" NOT NULL DEFAULT 'queued',
    "stopReason" TEXT,
    "error" TEXT,
    "cancelRequested" BOOLEAN NOT NULL DEFAULT false,
    "simulated" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMPTZ(3),
    "finishedAt" TIMESTAMPTZ(3),

    CONSTRAINT "Optimization_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ModelPrice" (
    "model" TEXT NOT NULL,
    "inputPerMTok" DOUBLE PRECISION NOT NULL,
    "outputPerMTok" DOUBLE PRECISION NOT NULL,
    "cacheWritePerMTok" DOUBLE PRECISION,
    "cacheReadPerMTok" DOUBLE PRECISION,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ModelPrice_pkey" PRIMARY KEY ("model")
);

-- CreateIndex
CREATE INDEX "Project_updatedAt_idx" ON "Project"("updatedAt");

-- CreateIndex
CREATE UNIQUE INDEX "TaskSuite_projectId_key" ON "TaskSuite"("projectId");

-- CreateIndex
CREATE INDEX "Task_suiteId_split_position_idx" ON "Task"("suiteId", "split", "position");

-- CreateIndex
CREATE UNIQUE INDEX "Task_suiteId_key_key" ON "Task"("suiteId", "key");

-- CreateIndex
CREATE INDEX "Candidate_projectId_status_idx" ON "Candidate"("projectId", "status");

-- CreateIndex
CREATE INDEX "Candidate_projectId_sha256_idx" ON "Candidate"("projectId", "sha256");

-- CreateIndex
CREATE INDEX "Candidate_iterationId_idx" ON "Candidate"("iterationId");

-- CreateIndex
CREATE UNIQUE INDEX "Candidate_projectId_number_key" ON "Candidate"("projectId", "number");

-- CreateIndex
CREATE INDEX "CandidateParent_parentId_idx" ON "CandidateParent"("parentId");

-- CreateIndex
CREATE INDEX "Evaluation_candidateId_split_createdAt_idx" ON "Evaluation"("candidateId", "split", "createdAt");

-- CreateIndex
CREATE INDEX "Evaluation_status_idx" ON "Evaluation"("status");

-- CreateIndex
CREATE INDEX "TaskRun_evaluationId_status_idx" ON "TaskRun"("evaluationId", "status");

-- CreateIndex
CREATE INDEX "TaskRun_taskId_idx" ON "TaskRun"("taskId");

-- CreateIndex
CREATE UNIQUE INDEX "TaskRun_evaluationId_taskId_key" ON "TaskRun"("evaluationId", "taskId");

-- CreateIndex
CREATE UNIQUE INDEX "TraceEvent_taskRunId_seq_key" ON "TraceEvent"("taskRunId", "seq");

-- CreateIndex
CREATE UNIQUE INDEX "TraceEvent_iterationId_seq_key" ON "TraceEvent"("iterationId", "seq");

-- CreateIndex
CREATE INDEX "Iteration_optimizationId_idx" ON "Iteration"("optimizationId");

-- CreateIndex
CREATE UNIQUE INDEX "Iteration_projectId_number_key" ON "Iteration"("projectId", "number");

-- CreateIndex
CREATE UNIQUE INDEX "InstructionVersion_projectId_version_key" ON "InstructionVersion"("projectId", "version");

-- CreateIndex
CREATE INDEX "Optimization_projectId_createdAt_idx" ON "Optimization"("projectId", "createdAt");

-- AddForeignKey
ALTER TABLE "TaskSuite" ADD CONSTRAINT "TaskSuite_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Task" ADD CONSTRAINT "Task_suiteId_fkey" FOREIGN KEY ("suiteId") REFERENCES "TaskSuite"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Candidate" ADD CONSTRAINT "Candidate_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Candidate" ADD CONSTRAINT "Candidate_iterationId_fkey" FOREIGN KEY ("iterationId") REFERENCES "Iteration"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CandidateParent" ADD CONSTRAINT "CandidateParent_childId_fkey" FOREIGN KEY ("childId") REFERENCES "Candidate"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CandidateParent" ADD CONSTRAINT "CandidateParent_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "Candidate"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Evaluation" ADD CONSTRAINT "Evaluation_candidateId_fkey" FOREIGN KEY ("candidateId") REFERENCES "Candidate"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TaskRun" ADD CONSTRAINT "TaskRun_evaluationId_fkey" FOREIGN KEY ("evaluationId") REFERENCES "Evaluation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TaskRun" ADD CONSTRAINT "TaskRun_taskId_fkey" FOREIGN KEY ("taskId") REFERENCES "Task"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TraceEvent" ADD CONSTRAINT "TraceEvent_taskRunId_fkey" FOREIGN KEY ("taskRunId") REFERENCES "TaskRun"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TraceEvent" ADD CONSTRAINT "TraceEvent_iterationId_fkey" FOREIGN KEY ("iterationId") REFERENCES "Iteration"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Iteration" ADD CONSTRAINT "Iteration_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Iteration" ADD CONSTRAINT "Iteration_instructionVersionId_fkey" FOREIGN KEY ("instructionVersionId") REFERENCES "InstructionVersion"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Iteration" ADD CONSTRAINT "Iteration_optimizationId_fkey" FOREIGN KEY ("optimizationId") REFERENCES "Optimization"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "InstructionVersion" ADD CONSTRAINT "InstructionVersion_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Optimization" ADD CONSTRAINT "Optimization_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;
