-- AlterTable
ALTER TABLE "Evaluation" ADD COLUMN     "scoreHigh" DOUBLE PRECISION,
ADD COLUMN     "scoreLow" DOUBLE PRECISION;
