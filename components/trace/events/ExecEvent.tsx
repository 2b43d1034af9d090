// A command the harness ran in its sandbox: the command, how it ended, and its output.
import { Badge } from "@/components/ui";
import { formatDuration } from "@/lib/format";
import { isRecord, num, str } from "../format";
import styles from "../trace.module.css";
import { Fact, TextBlock } from "./JsonView";
import type { EventViewProps } from "./types";

export function ExecEvent({ body, event }: EventViewProps) {
  const exec = isRecord(body) ? body : {};
  const exitCode = num(exec.exitCode);
  const signal = str(exec.signal);
  const ended = exec.timedOut === true ? (
    <Badge tone="warn">timed out</Badge>
  ) : signal ? (
    <Badge tone="fail">killed by {signal}</Badge>
  ) : (
    <Badge tone={exitCode === 0 ? "pass" : "fail"}>exit {exitCode ?? "?"}</Badge>
  );
  return (
    <>
      <pre className={styles.code}>$ {str(exec.command) ?? event.name ?? ""}</pre>
      <div className={styles.facts}>
        <Fact label="Exit" value={ended} />
        <Fact label="Duration" value={formatDuration(num(exec.durationMs) ?? event.durationMs)} />
        <Fact label="Working directory" value={str(exec.cwd) ?? "—"} title={str(exec.cwd) ?? undefined} wide />
      </div>
      <TextBlock label="stdout" text={str(exec.stdout)} />
      <TextBlock label="stderr" text={str(exec.stderr)} tone={str(exec.stderr) ? "fail" : undefined} />
    </>
  );
}
