"use client";

// The task runs a search found: one row each, its task key opening the trace. Sorting is the
// server's (it sorts every match, not just this page): a header click changes `sort` in the URL.
import {
  createColumnHelper,
  flexRender,
  getCoreRowModel,
  useReactTable,
  type SortingState,
} from "@tanstack/react-table";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useMemo } from "react";
import { Badge, ui } from "@/components/ui";
import { candidateHref, runHref, taskStatusTone } from "@/components/candidates/format";
import { formatCost, formatDuration, formatScore, formatTokens } from "@/lib/format";
import type { SearchResultRow } from "@/lib/search/task-runs";
import styles from "./search.module.css";

const column = createColumnHelper<SearchResultRow>();

export function SearchResultsTable(props: {
  projectId: string;
  rows: SearchResultRow[];
  sort: { key: string; desc: boolean };
  /** The current URL's query string, without `sort` and `page`. */
  query: string;
}) {
  const router = useRouter();
  const { projectId } = props;
  const columns = useMemo(
    () => [
      column.accessor("taskKey", {
        id: "task",
        header: "Task run",
        cell: (info) => (
          <Link
            href={runHref(projectId, info.row.original.taskRunId)}
            prefetch={false}
            className={ui.rowTitle}
            data-testid="open-trace"
            title="Open the trace"
          >
            {info.getValue()}
          </Link>
        ),
      }),
      column.accessor("candidateNumber", {
        id: "candidate",
        header: "Candidate",
        cell: (info) => (
          <Link href={candidateHref(projectId, info.row.original.candidateId)} prefetch={false}>
            #{info.getValue()}
          </Link>
        ),
      }),
      column.accessor("split", {
        header: "Split",
        enableSorting: false,
        cell: (info) => (
          <>
            {info.getValue()}
            {info.row.original.trials > 1 && (
              <div className="faint">
                trial {info.row.original.trial} of {info.row.original.trials}
              </div>
            )}
          </>
        ),
      }),
      column.accessor("status", {
        header: "Outcome",
        enableSorting: false,
        cell: (info) => (
          <Badge tone={taskStatusTone(info.getValue())}>
            {info.getValue()}
            {info.row.original.errorKind ? ` · ${info.row.original.errorKind}` : ""}
          </Badge>
        ),
      }),
      column.accessor("score", {
        header: "Score",
        meta: { numeric: true },
        cell: (info) => formatScore(info.getValue()),
      }),
      column.accessor("outputPreview", {
        header: "Output · expected",
        enableSorting: false,
        cell: (info) => (
          <>
            <div className={styles.preview} title={info.getValue() ?? undefined}>
              {info.getValue() ?? <span className="faint">—</span>}
            </div>
            <div className={styles.expected} title={info.row.original.expectedPreview}>
              expected {info.row.original.expectedPreview}
            </div>
          </>
        ),
      }),
      column.accessor("tokens", {
        header: "Tokens",
        meta: { numeric: true },
        cell: (info) => formatTokens(info.getValue()),
      }),
      column.accessor("durationMs", {
        id: "latency",
        header: "Latency",
        meta: { numeric: true },
        cell: (info) => formatDuration(info.getValue()),
      }),
      column.accessor("costUsd", {
        id: "cost",
        header: "Cost",
        meta: { numeric: true },
        cell: (info) => formatCost(info.getValue()),
      }),
    ],
    [projectId],
  );
  const sorting: SortingState = [{ id: props.sort.key, desc: props.sort.desc }];
  const table = useReactTable({
    data: props.rows,
    columns,
    state: { sorting },
    manualSorting: true,
    enableSortingRemoval: false,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (row) => row.taskRunId,
  });

  const sortTo = (id: string) => {
    const desc = props.sort.key === id ? !props.sort.desc : id !== "task";
    const params = new URLSearchParams(props.query);
    params.set("sort", `${id}.${desc ? "desc" : "asc"}`);
    router.push(`?${params.toString()}`, { scroll: false });
  };

  return (
    <div className={styles.scroll}>
      <table className={ui.table} data-table="search-results">
        <thead>
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {group.headers.map((header) => {
                const numeric = (header.column.columnDef.meta as { numeric?: boolean } | undefined)?.numeric;
                const sorted = header.column.getIsSorted();
                return (
                  <th
                    key={header.id}
                    className={numeric ? ui.right : undefined}
                    aria-sort={sorted ? (sorted === "desc" ? "descending" : "ascending") : undefined}
                  >
                    {header.column.getCanSort() ? (
                      <button type="button" className={styles.sortButton} onClick={() => sortTo(header.column.id)}>
                        {flexRender(header.column.columnDef.header, header.getContext())}
                        {sorted ? (sorted === "desc" ? " ↓" : " ↑") : ""}
                      </button>
                    ) : (
                      flexRender(header.column.columnDef.header, header.getContext())
                    )}
                  </th>
                );
              })}
            </tr>
          ))}
        </thead>
        <tbody>
          {table.getRowModel().rows.map((row) => (
            <tr key={row.id} data-status={row.original.status} data-run={row.original.taskRunId}>
              {row.getVisibleCells().map((cell) => {
                const numeric = (cell.column.columnDef.meta as { numeric?: boolean } | undefined)?.numeric;
                return (
                  <td key={cell.id} className={numeric ? `${ui.right} num` : undefined}>
                    {flexRender(cell.column.columnDef.cell, cell.getContext())}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
