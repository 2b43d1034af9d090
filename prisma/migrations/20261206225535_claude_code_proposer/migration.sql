-- AlterEnum
ALTER TYPE "ProposerKind" ADD VALUE 'claude_code';
