-- AlterTable: nullable first, so existing rows can be given their project's model.
ALTER TABLE "Evaluation" ADD COLUMN     "model" TEXT;

-- Backfill: an evaluation made before this column ran with the project's model of the day; the
-- project's current model is the best record of it there is.
UPDATE "Evaluation" e SET "model" = p."model"
FROM "Candidate" c JOIN "Project" p ON p."id" = c."projectId"
WHERE c."id" = e."candidateId";

ALTER TABLE "Evaluation" ALTER COLUMN "model" SET NOT NULL;

-- CreateIndex
CREATE INDEX "Evaluation_candidateId_model_split_idx" ON "Evaluation"("candidateId", "model", "split");
