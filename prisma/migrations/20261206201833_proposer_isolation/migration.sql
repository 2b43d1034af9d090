-- AlterTable
ALTER TABLE "Iteration" ADD COLUMN     "proposerIsolation" TEXT;
