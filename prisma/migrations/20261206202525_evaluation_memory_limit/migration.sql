-- AlterTable
ALTER TABLE "Evaluation" ADD COLUMN     "memoryLimit" TEXT;
