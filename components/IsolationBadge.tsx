import { Badge } from "@/components/ui";

/** Says plainly what a harness (or a command proposer: `who`) could reach while it ran. */
export function IsolationBadge({ isolation, who = "the harness" }: { isolation: string | null; who?: string }) {
  if (!isolation) return <span className="faint">—</span>;
  if (isolation === "bubblewrap") {
    return (
      <Badge
        tone="pass"
        title="bubblewrap: no network but the model proxy, no view of the studio's files, database or home"
      >
        sandboxed
      </Badge>
    );
  }
  return (
    <Badge
      tone="warn"
      title={`Process-level isolation only: ${who} could reach the network and world-readable files. Install bubblewrap for full isolation.`}
    >
      process only
    </Badge>
  );
}
