"use client";
// Creates a project from an uploaded suite (a folder, picked or dropped, or a .zip) and seed
// harness. The server checks it the way the CLI does; problems come back by file and line.
import { useRouter } from "next/navigation";
import { useState, type DragEvent } from "react";
import type { FileProblem } from "@/lib/errors";
import { HARNESS_FILE, UPLOAD_FIELDS, UPLOAD_LIMITS } from "@/lib/projects/upload/rules";
import { ui } from "../ui";
import { ProblemList } from "./ProblemList";
import { filesFromDrop, pickFolder, pickZip, type PickedSuite } from "./pick";
import styles from "./upload.module.css";
import { formatBytes } from "@/lib/format";

type Status = { step: "idle" } | { step: "uploading"; sent: number } | { step: "checking" } | { step: "opening" };
interface Failure {
  error: string;
  problems: FileProblem[];
}

export function UploadForm() {
  const router = useRouter();
  const [suite, setSuite] = useState<PickedSuite | null>(null);
  const [harness, setHarness] = useState<File | null>(null);
  const [name, setName] = useState("");
  const [nameEdited, setNameEdited] = useState(false);
  const [status, setStatus] = useState<Status>({ step: "idle" });
  const [failure, setFailure] = useState<Failure | null>(null);
  const [dragging, setDragging] = useState(false);
  const busy = status.step !== "idle";

  async function pick(read: () => Promise<PickedSuite>) {
    setFailure(null);
    try {
      const picked = await read();
      setSuite(picked);
      if (!nameEdited) setName(picked.suiteName ?? "");
    } catch (error) {
      setSuite(null);
      setFailure({ error: `That suite cannot be read: ${(error as Error).message}`, problems: [] });
    }
  }

  async function drop(event: DragEvent) {
    event.preventDefault();
    setDragging(false);
    if (busy) return;
    const single = event.dataTransfer.files.length === 1 ? event.dataTransfer.files[0] : null;
    const entry = event.dataTransfer.items[0]?.webkitGetAsEntry();
    if (single && entry?.isFile && /\.zip$/i.test(single.name)) return pick(() => pickZip(single));
    const items = event.dataTransfer.items;
    await pick(async () => {
      const files = await filesFromDrop(items);
      if (files.length === 0) throw new Error("drop a folder or a .zip file");
      return pickFolder(files);
    });
  }

  const tooBig = suite && (suite.count > UPLOAD_LIMITS.files || suite.bytes > UPLOAD_LIMITS.totalBytes);
  const needsHarness = suite !== null && !suite.hasHarness && harness === null;
  const needsSuiteJson = suite !== null && !suite.hasSuiteJson;
  // Each hint names what is missing, so the person knows which picker to use.
  const missing = [
    ...(suite === null ? ["a suite folder or .zip"] : []),
    ...(needsSuiteJson ? [`suite.json (${suite.label} has none at its top)`] : []),
    ...(needsHarness ? ["a seed harness (the suite has no harness.ts)"] : []),
  ];

  function submit() {
    if (!suite) return;
    const form = new FormData();
    if (name.trim()) form.append(UPLOAD_FIELDS.name, name.trim());
    for (const part of suite.parts) form.append(UPLOAD_FIELDS.suite, part.file, part.path);
    if (harness) form.append(UPLOAD_FIELDS.harness, harness, harness.name);
    setFailure(null);
    setStatus({ step: "uploading", sent: 0 });
    // XMLHttpRequest, not fetch: only it reports upload progress.
    const request = new XMLHttpRequest();
    request.open("POST", "/api/projects");
    request.responseType = "json";
    request.upload.onprogress = (event) =>
      event.lengthComputable && setStatus({ step: "uploading", sent: event.loaded / event.total });
    request.upload.onload = () => setStatus({ step: "checking" });
    request.onload = () => {
      const body = (request.response ?? {}) as { projectId?: string; error?: string; problems?: FileProblem[] };
      if (request.status === 201 && body.projectId) {
        setStatus({ step: "opening" });
        router.push(`/projects/${body.projectId}`);
        return;
      }
      setFailure({ error: body.error ?? `The studio answered ${request.status}.`, problems: body.problems ?? [] });
      setStatus({ step: "idle" });
    };
    request.onerror = () => {
      setFailure({ error: "The upload did not reach the studio (is it still running?).", problems: [] });
      setStatus({ step: "idle" });
    };
    request.send(form);
  }

  return (
    <form
      className={styles.form}
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      <div className={styles.columns}>
        <div className={styles.field}>
          <span className={styles.label}>Suite</span>
          <div
            className={`${styles.drop} ${dragging ? styles.dropActive : ""} ${suite ? styles.dropPicked : ""}`}
            onDragOver={(event) => {
              event.preventDefault();
              setDragging(true);
            }}
            onDragLeave={() => setDragging(false)}
            onDrop={(event) => void drop(event)}
          >
            {suite ? (
              <div className={styles.picked} data-testid="picked-suite">
                <span className={styles.pickedIcon} aria-hidden>
                  {suite.kind === "zip" ? "zip" : "dir"}
                </span>
                <div>
                  <div className={styles.pickedName}>{suite.label}</div>
                  <div className={styles.pickedMeta}>
                    {suite.count} {suite.count === 1 ? "file" : "files"} · {formatBytes(suite.bytes)}
                    {suite.kind === "zip" ? " unpacked" : ""}
                    {suite.suiteName ? ` · suite “${suite.suiteName}”` : " · no suite.json found at its root"}
                  </div>
                </div>
              </div>
            ) : (
              <p className={styles.dropText}>
                Drop a suite folder or a <code>.zip</code> here, or choose one.
              </p>
            )}
            <div className={styles.pickButtons}>
              <label className={ui.button} aria-disabled={busy}>
                <input
                  className={styles.fileInput}
                  type="file"
                  webkitdirectory=""
                  multiple
                  disabled={busy}
                  aria-label="Suite folder"
                  onChange={(event) => {
                    const files = [...(event.target.files ?? [])].map((file) => ({
                      path: file.webkitRelativePath || file.name,
                      file,
                    }));
                    event.target.value = "";
                    if (files.length) void pick(() => pickFolder(files));
                  }}
                />
                Choose folder…
              </label>
              <label className={ui.button} aria-disabled={busy}>
                <input
                  className={styles.fileInput}
                  type="file"
                  accept=".zip,application/zip"
                  disabled={busy}
                  aria-label="Suite zip"
                  onChange={(event) => {
                    const file = event.target.files?.[0];
                    event.target.value = "";
                    if (file) void pick(() => pickZip(file));
                  }}
                />
                Choose .zip…
              </label>
            </div>
          </div>
          <p className={styles.help}>
            <code>suite.json</code>, <code>tasks.jsonl</code>, optional <code>grader.ts</code> and{" "}
            <code>env/&lt;task id&gt;/</code>, at the root or inside one top folder. Up to{" "}
            {UPLOAD_LIMITS.files.toLocaleString("en-US")} files and {formatBytes(UPLOAD_LIMITS.totalBytes)} unpacked.
          </p>
          {tooBig && <p className={ui.error}>This suite is over the upload limits; the studio will refuse it.</p>}
        </div>

        <div className={styles.side}>
          <div className={styles.field}>
            <span className={styles.label}>Seed harness</span>
            <div className={styles.harnessRow}>
              <label className={ui.button} aria-disabled={busy}>
                <input
                  className={styles.fileInput}
                  type="file"
                  accept=".ts,.mts,text/typescript"
                  disabled={busy}
                  aria-label="Seed harness"
                  onChange={(event) => {
                    setHarness(event.target.files?.[0] ?? null);
                    event.target.value = "";
                  }}
                />
                Choose .ts file…
              </label>
              {harness ? (
                <span className={styles.harnessName}>
                  {harness.name} · {formatBytes(harness.size)}{" "}
                  <button type="button" className={styles.linkButton} onClick={() => setHarness(null)} disabled={busy}>
                    remove
                  </button>
                </span>
              ) : null}
            </div>
            <p className={styles.help}>
              {harness
                ? suite?.hasHarness
                  ? `Used instead of the folder's own ${HARNESS_FILE}.`
                  : "One TypeScript module exporting { run, learn? }."
                : suite?.hasHarness
                  ? `Not needed: the suite has a ${HARNESS_FILE} at its root, which becomes candidate #1.`
                  : `One TypeScript module exporting { run, learn? }. Not needed if the suite folder has a ${HARNESS_FILE} at its root.`}
            </p>
          </div>

          <label className={styles.field}>
            <span className={styles.label}>Project name</span>
            <input
              className={ui.input}
              value={name}
              maxLength={200}
              disabled={busy}
              placeholder="Defaults to the suite's name"
              onChange={(event) => {
                setName(event.target.value);
                setNameEdited(event.target.value !== "");
              }}
            />
          </label>

          <div className={styles.actions}>
            <button type="submit" className={`${ui.button} ${ui.buttonPrimary}`} disabled={missing.length > 0 || busy}>
              {status.step === "idle"
                ? "Create project"
                : status.step === "uploading"
                  ? `Uploading… ${Math.round(status.sent * 100)}%`
                  : status.step === "checking"
                    ? "Checking…"
                    : "Opening…"}
            </button>
            {missing.length > 0 && !busy && (
              <span className={styles.help} data-upload-hint>
                Missing: {missing.join("; ")}.
              </span>
            )}
          </div>
          {busy && (
            <div className={styles.progress} role="status">
              <div className={styles.bar}>
                <div
                  className={styles.fill}
                  style={{ width: `${status.step === "uploading" ? Math.round(status.sent * 100) : 100}%` }}
                />
              </div>
              <span className={styles.help}>
                {status.step === "uploading"
                  ? "Sending the files…"
                  : status.step === "checking"
                    ? "Checking the suite and compiling the harness…"
                    : "Created. Opening the project…"}
              </span>
            </div>
          )}
        </div>
      </div>

      {failure && (
        <div className={styles.failure} role="alert">
          <p className={ui.error}>{failure.error}</p>
          {failure.problems.length > 0 && <ProblemList problems={failure.problems} />}
        </div>
      )}
    </form>
  );
}
