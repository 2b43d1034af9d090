// Rule 3 of RULES.md: terminal tasks, one shell command per reply. The model explores first
// (`ls -la`), looks before it acts (reads a script and runs it to see it fail before fixing it;
// reads the head of a CSV before converting it), acts only on files it has seen in a listing,
// and says DONE once it has seen its command's output: so a harness must run the commands and
// show their output back, turn by turn, for as many turns as the task takes.
//
// The commands are written for /bin/sh with GNU sed, grep and mawk or gawk (Debian), and the
// names in them are limited to NAME characters, so they never need quoting.

/** File names and keys in Task lines: letters, digits, ".", "_", "-". */
const NAME = "[A-Za-z0-9._-]+";
const KEY = "[A-Za-z0-9_-]+";

/** The Task-line templates of RULES.md, matched case-insensitively against the whole line. */
export const TASK_TEMPLATES = {
  fix: new RegExp(`^The script (${NAME}) fails; fix the line marked BUG so it prints OK\\.?$`, "i"),
  log: new RegExp(
    `^In (${NAME}), find the value of (${KEY}) for the request that failed and write it to answer\\.txt\\.?$`,
    "i",
  ),
  convert: new RegExp(`^Convert (${NAME}) to (${NAME}) \\(tabs instead of commas\\)\\.?$`, "i"),
} as const;

export type TaskKind = keyof typeof TASK_TEMPLATES;

export interface ShellTask {
  kind: TaskKind;
  /** The file the command reads, which must have been seen in a listing. */
  input: string;
  /** The key (log) or output file (convert). */
  argument?: string;
}

export const EXPLORE = "ls -la";
export const DONE = "DONE";
export const SHELL_TRIGGER = "reply with one shell command";

/** The text after "Task:" on the first line that starts with it, or null. */
export function findTaskLine(prompt: string): string | null {
  for (const line of prompt.split(/\r?\n/)) {
    const match = /^\s*task:\s*(.*?)\s*$/i.exec(line);
    if (match) return match[1];
  }
  return null;
}

export function parseTask(taskLine: string): ShellTask | null {
  for (const kind of Object.keys(TASK_TEMPLATES) as TaskKind[]) {
    const match = TASK_TEMPLATES[kind].exec(taskLine);
    if (match) return { kind, input: match[1], argument: match[2] };
  }
  return null;
}

/** The command a task needs, once its input file is known to exist. */
export function commandFor(task: ShellTask): string {
  switch (task.kind) {
    case "fix":
      // Comment the marked line out, then run the script so its output shows the fix worked.
      return `sed -i '/# BUG/s/^/# /' ${task.input} && sh ${task.input}`;
    case "log":
      // The failed request's line, then the value of the key on it: a field at the start of the
      // line or after a space, so "id" never matches inside "request_id". tee shows the value too.
      return `grep -E '(^| )status=error( |$)' ${task.input} | sed -n 's/^\\(.* \\)\\{0,1\\}${task.argument}=\\([^ ]*\\).*$/\\2/p' | tee answer.txt`;
    case "convert":
      // Reassigning $1 makes awk rebuild each line with OFS, i.e. with tabs between the fields.
      return `awk 'BEGIN { FS = ","; OFS = "\\t" } { $1 = $1; print }' ${task.input} > ${task.argument}`;
  }
}

interface CommandRun {
  command: string;
  output: string[];
}

/**
 * Every `$ <command>` line of the prompt with its output: the lines after it up to the next
 * blank line or `$ ` line. Lines of three backticks (a fence around the output) are skipped.
 */
export function findCommandRuns(prompt: string): CommandRun[] {
  const runs: CommandRun[] = [];
  let current: CommandRun | null = null;
  for (const line of prompt.split(/\r?\n/)) {
    const command = /^\$ (.*)$/.exec(line);
    if (command) {
      current = { command: command[1].trim(), output: [] };
      runs.push(current);
    } else if (line.trim() === "") {
      current = null;
    } else if (current && !/^\s*```/.test(line)) {
      current.output.push(line);
    }
  }
  return runs;
}

const isListing = (command: string) => /^ls(\s|$)/.test(command);

/** A long-format ls line: "-rw-r--r-- 1 user group 120 Jan  1 10:00 name". */
const LONG_LISTING = /^[-bcdlps][-rwxsStT]{9}[.+@]?\s/;

/** The names shown by the outputs of `ls` commands. */
export function namesSeen(runs: CommandRun[]): Set<string> {
  const names = new Set<string>();
  for (const run of runs) {
    if (!isListing(run.command)) continue;
    for (const line of run.output) {
      if (/^total \d+/.test(line)) continue;
      if (LONG_LISTING.test(line)) {
        const fields = line.trim().split(/\s+/);
        // Fields 0–7 are mode, links, owner, group, size and three of date; a link shows "name -> target".
        const name = fields.slice(8).join(" ").split(" -> ")[0];
        if (name) names.add(name);
      } else {
        for (const name of line.trim().split(/\s+/)) names.add(name);
      }
    }
  }
  names.delete(".");
  names.delete("..");
  return names;
}

/**
 * The looks the model takes, in order, after the listing and before the task's command: it
 * reads a script and runs it (to see it fail) before fixing it, and reads the head of a CSV
 * before converting it. A log it searches at once.
 */
export function looksFor(task: ShellTask): string[] {
  switch (task.kind) {
    case "fix":
      return [`cat ${task.input}`, `sh ${task.input}`];
    case "convert":
      return [`head -n 3 ${task.input}`];
    case "log":
      return [];
  }
}

/** The reply to a terminal-task prompt, by Rule 3. */
export function shellReply(prompt: string): string {
  const runs = findCommandRuns(prompt);
  const seen = namesSeen(runs);
  const taskLine = findTaskLine(prompt);
  const task = taskLine === null ? null : parseTask(taskLine);

  // A task the model has no command for: look around once, then give up.
  if (!task) return runs.some((run) => isListing(run.command)) ? DONE : EXPLORE;
  if (!seen.has(task.input)) return EXPLORE;
  const shown = (command: string) => runs.some((run) => run.command === command);
  const look = looksFor(task).find((command) => !shown(command));
  if (look) return look;
  const command = commandFor(task);
  return shown(command) ? DONE : command;
}
