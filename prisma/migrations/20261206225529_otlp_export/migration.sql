-- AlterTable
ALTER TABLE "Evaluation" ADD COLUMN     "otlpExportError" TEXT,
ADD COLUMN     "otlpExportSpans" INTEGER,
ADD COLUMN     "otlpExportStatus" TEXT,
ADD COLUMN     "otlpExportedAt" TIMESTAMPTZ(3);
