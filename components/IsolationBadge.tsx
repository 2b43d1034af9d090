import { Badge } from "@/components/ui";

/** Says plainly what a harness could reach while it ran. */
export function IsolationBadge({ isolation }: { isolation: string | null }) {
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
      title="Process-level isolation only: the harness could reach the network and world-readable files. Install bubblewrap for full isolation."
    >
      process only
    </Badge>
  );
}
