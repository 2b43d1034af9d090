-- AlterTable
ALTER TABLE "Task" ADD COLUMN     "container" JSONB;
