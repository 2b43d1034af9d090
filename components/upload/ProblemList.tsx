// Validation problems grouped by file, each with its line (and column), the way an editor lists them.
import type { FileProblem } from "@/lib/errors";
import styles from "./upload.module.css";

function place(problem: FileProblem): string {
  if (problem.line === undefined) return "";
  return problem.column === undefined ? `line ${problem.line}` : `line ${problem.line}:${problem.column}`;
}

export function ProblemList({ problems }: { problems: FileProblem[] }) {
  const byFile = new Map<string, FileProblem[]>();
  for (const problem of problems) byFile.set(problem.file, [...(byFile.get(problem.file) ?? []), problem]);
  return (
    <div className={styles.problems}>
      {[...byFile].map(([file, list]) => (
        <section key={file} className={styles.problemFile} aria-label={`Problems in ${file}`}>
          <h3>
            <code>{file}</code>
            <span className={styles.problemCount}>{list.length === 1 ? "1 problem" : `${list.length} problems`}</span>
          </h3>
          <ul>
            {list.map((problem, index) => (
              <li key={index}>
                <span className={styles.problemPlace}>{place(problem)}</span>
                <span className={styles.problemMessage}>{problem.message}</span>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </div>
  );
}
