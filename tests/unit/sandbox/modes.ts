// Which sandbox modes the tests run in. Bubblewrap where it works, and always the process
// fallback. Under CI (CI=true) bubblewrap must work: .ci/run installs it, so a missing or broken
// one fails the run here, with the probe's reason, as a missing Chromium fails the browser tests,
// instead of silently dropping every bubblewrap assertion. STUDIO_SANDBOX=process opts out.
import type { IsolationProbe } from "../../../lib/runner/sandbox/sandbox.ts";

export type Mode = "bubblewrap" | "process";

export function sandboxModes(probe: IsolationProbe, env: Record<string, string | undefined> = process.env): Mode[] {
  if (probe.isolation === "bubblewrap") return ["bubblewrap", "process"];
  if (env.CI === "true" && env.STUDIO_SANDBOX !== "process") {
    throw new Error(
      `The sandbox tests need bubblewrap under CI (CI=true), and it does not work here: ${probe.fallbackReason}. ` +
        "Install it (Debian: apt-get install bubblewrap) and allow user namespaces, or set STUDIO_SANDBOX=process " +
        "to test the process sandbox alone. Sandbox tests do not skip bubblewrap under CI.",
    );
  }
  return ["process"];
}
