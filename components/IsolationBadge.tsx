import { Badge } from "@/components/ui";

const MEMORY_LIMITS: Record<string, string> = {
  cgroup: "memory: a cgroup v2 limit on the whole process tree, enforced by the kernel",
  rlimit: "memory: RLIMIT_DATA per process (an allocation past it is refused), and the studio's RSS poll on the tree",
  poll: "memory: the studio's RSS poll only (every 100 ms; a fast allocation can overshoot between polls)",
};

/**
 * Says plainly what a harness (or a command proposer: `who`) could reach while it ran, and which
 * memory limit held it.
 */
export function IsolationBadge({
  isolation,
  memoryLimit,
  who = "the harness",
}: {
  isolation: string | null;
  memoryLimit?: string | null;
  who?: string;
}) {
  if (!isolation) return <span className="faint">—</span>;
  const memory = memoryLimit ? MEMORY_LIMITS[memoryLimit] : undefined;
  const withMemory = (title: string) => (memory ? `${title}\n${memory}` : title);
  const badge =
    isolation === "bubblewrap" ? (
      <Badge
        tone="pass"
        title={withMemory(
          "bubblewrap: no network but the model proxy, no view of the studio's files, database or home",
        )}
      >
        sandboxed
      </Badge>
    ) : (
      <Badge
        tone="warn"
        title={withMemory(
          `Process-level isolation only: ${who} could reach the network and world-readable files. Install bubblewrap for full isolation.`,
        )}
      >
        process only
      </Badge>
    );
  return (
    <>
      {badge}
      {memoryLimit && (
        <span className="faint" title={memory}>
          {" "}
          · mem {memoryLimit}
        </span>
      )}
    </>
  );
}
