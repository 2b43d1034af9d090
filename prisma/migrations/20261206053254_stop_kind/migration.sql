-- CreateEnum
CREATE TYPE "StopKind" AS ENUM ('cancelled', 'budget', 'proposer_max_turns', 'proposer_budget', 'proposer_cancelled', 'proposer_error');

-- AlterTable
ALTER TABLE "Iteration" ADD COLUMN     "stopKind" "StopKind";

-- AlterTable
ALTER TABLE "Optimization" ADD COLUMN     "stopKind" "StopKind";

-- Rows written before stopKind existed said the kind in the text: move it into the column.
UPDATE "Iteration" SET "stopKind" = 'cancelled' WHERE "stopReason" = 'cancelled';
UPDATE "Iteration" SET "stopKind" = 'budget' WHERE "stopReason" LIKE '%budget reached%';
UPDATE "Iteration" SET "stopKind" = ('proposer_' || substring("stopReason" from '^proposer stopped: (max_turns|budget|cancelled|error)'))::"StopKind",
  "stopReason" = coalesce(substring("stopReason" from '^proposer stopped: \w+ \((.*)\)$'), "stopReason")
  WHERE "stopReason" ~ '^proposer stopped: (max_turns|budget|cancelled|error)';
UPDATE "Optimization" SET "stopKind" = 'cancelled' WHERE "stopReason" = 'cancelled';
UPDATE "Optimization" SET "stopKind" = 'budget' WHERE "stopReason" LIKE '%budget reached%';
