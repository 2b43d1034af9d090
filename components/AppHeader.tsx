import Link from "next/link";
import styles from "./AppHeader.module.css";

/** The bar on every page. `modelReady` says only whether a key is set, never the key. */
export function AppHeader({ modelReady }: { modelReady: boolean }) {
  return (
    <header className={styles.header}>
      <div className={styles.inner}>
        <Link href="/projects" className={styles.brand}>
          {/* eslint-disable-next-line @next/next/no-img-element */}
          <img src="/logo.svg" alt="" width={22} height={22} />
          Harness Studio
        </Link>
        <nav className={styles.nav}>
          <Link href="/projects">Projects</Link>
        </nav>
        <div
          className={styles.status}
          title={
            modelReady
              ? "ANTHROPIC_API_KEY is set on the server"
              : "Set ANTHROPIC_API_KEY on the server to run real models"
          }
        >
          <span className={`${styles.dot} ${modelReady ? styles.dotOn : ""}`} />
          {modelReady ? "Model API configured" : "No model API key"}
        </div>
      </div>
    </header>
  );
}
