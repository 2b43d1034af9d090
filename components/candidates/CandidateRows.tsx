"use client";

// The overview's candidate rows, sent to the browser once (packed as columns) and shared by
// the views that show them: the score-against-cost chart and the candidates table.
import { createContext, useContext, useMemo, type ReactNode } from "react";
import { unpackRows, type Packed } from "@/lib/candidates/packed";
import type { CandidateTableRow } from "@/lib/candidates/queries";

const RowsContext = createContext<CandidateTableRow[] | null>(null);

export function CandidateRowsProvider({ rows, children }: { rows: Packed<CandidateTableRow>; children: ReactNode }) {
  const unpacked = useMemo(() => unpackRows(rows), [rows]);
  return <RowsContext.Provider value={unpacked}>{children}</RowsContext.Provider>;
}

export function useCandidateRows(): CandidateTableRow[] {
  const rows = useContext(RowsContext);
  if (!rows) throw new Error("useCandidateRows needs a CandidateRowsProvider above it.");
  return rows;
}
