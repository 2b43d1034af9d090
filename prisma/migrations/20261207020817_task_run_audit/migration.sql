-- AlterTable
ALTER TABLE "TaskRun" ADD COLUMN     "audit" JSONB;
