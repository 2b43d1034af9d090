// An evaluation's last OTLP export, stored on it so the pages and the CLI can show it beside
// the evaluation: exported (with how many spans) or failed (with why).
import { db } from "../db/client.ts";

export interface OtlpExportStatus {
  status: "exported" | "failed";
  error: string | null;
  spans: number;
  at: Date;
}

export async function recordOtlpExport(evaluationId: string, result: OtlpExportStatus): Promise<void> {
  await db.evaluation.updateMany({
    where: { id: evaluationId },
    data: {
      otlpExportStatus: result.status,
      otlpExportError: result.error,
      otlpExportSpans: result.spans,
      otlpExportedAt: result.at,
    },
  });
}
