// A command the harness ran in its sandbox: the command, how it ended, and its output.
import { Badge } from "@/components/ui";
import { formatDuration } from "@/lib/format";
import styles from "../trace.module.css";
import { Fact, TextBlock } from "./JsonView";
import type { EventViewProps } from "./types";

export function ExecEvent({ body: exec }: EventViewProps<"exec">) {
  const ended = exec.timedOut ? (
    <Badge tone="warn">timed out</Badge>
  ) : exec.signal ? (
    <Badge tone="fail">killed by {exec.signal}</Badge>
  ) : (
    <Badge tone={exec.exitCode === 0 ? "pass" : "fail"}>exit {exec.exitCode ?? "?"}</Badge>
  );
  return (
    <>
      <pre className={styles.code}>$ {exec.command}</pre>
      <div className={styles.facts}>
        <Fact label="Exit" value={ended} />
        <Fact label="Duration" value={formatDuration(exec.durationMs)} />
        <Fact label="Working directory" value={exec.cwd} title={exec.cwd} wide />
        {exec.container ? <Fact label="Container" value={exec.container} title={exec.container} wide /> : null}
      </div>
      <TextBlock label="stdout" text={exec.stdout} />
      <TextBlock label="stderr" text={exec.stderr} tone={exec.stderr ? "fail" : undefined} />
    </>
  );
}
