// Small building blocks shared by every page: one look, one set of names.
import Link from "next/link";
import type { ReactNode } from "react";
import styles from "./ui.module.css";

export { styles as ui };

export function Page({ children }: { children: ReactNode }) {
  return <div className={styles.page}>{children}</div>;
}

export function PageHeader(props: {
  eyebrow?: ReactNode;
  title: ReactNode;
  badges?: ReactNode;
  description?: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <div className={styles.pageHeader}>
      <div>
        {props.eyebrow && <div className={styles.eyebrow}>{props.eyebrow}</div>}
        <div className={styles.titleRow}>
          <h1>{props.title}</h1>
          {props.badges}
        </div>
        {props.description && <p>{props.description}</p>}
      </div>
      {props.actions && <div>{props.actions}</div>}
    </div>
  );
}

export function Section(props: { title: ReactNode; hint?: ReactNode; children: ReactNode; flush?: boolean }) {
  return (
    <section className={`${styles.card} ${styles.section}`}>
      <div className={styles.sectionHeader}>
        <h2>{props.title}</h2>
        {props.hint && <p>{props.hint}</p>}
      </div>
      <div className={props.flush ? undefined : styles.sectionBody}>{props.children}</div>
    </section>
  );
}

/** A shimmering block of the given height where content is loading; says so to screen readers. */
export function Skeleton({ height, label }: { height: number; label: string }) {
  return <div className={styles.skeleton} style={{ height }} aria-busy="true" aria-label={label} />;
}

export function Stat(props: { label: string; value: ReactNode; hint?: ReactNode }) {
  return (
    <div className={`${styles.card} ${styles.stat}`}>
      <div className={styles.statLabel}>{props.label}</div>
      <div className={styles.statValue}>{props.value}</div>
      {props.hint && <div className={styles.statHint}>{props.hint}</div>}
    </div>
  );
}

export function Stats({ children }: { children: ReactNode }) {
  return <div className={styles.stats}>{children}</div>;
}

export function EmptyState(props: { icon?: string; title: string; children?: ReactNode }) {
  return (
    <div className={styles.empty}>
      <div className={styles.emptyIcon} aria-hidden>
        {props.icon ?? "·"}
      </div>
      <h2>{props.title}</h2>
      {props.children}
    </div>
  );
}

type Tone = "neutral" | "warn" | "pass" | "fail" | "accent";
const toneClass: Record<Tone, string> = {
  neutral: "",
  warn: styles.badgeWarn,
  pass: styles.badgePass,
  fail: styles.badgeFail,
  accent: styles.badgeAccent,
};

export function Badge({ tone = "neutral", children, title }: { tone?: Tone; children: ReactNode; title?: string }) {
  return (
    <span className={`${styles.badge} ${toneClass[tone]}`} title={title}>
      {children}
    </span>
  );
}

export function SimulatedBadge() {
  return (
    <Badge tone="warn" title="Made with the offline model and proposer: not a real model run">
      simulated
    </Badge>
  );
}

/** On a project: some of its runs are simulated (each run says which); the others are real. */
export function HasSimulatedRunsBadge() {
  return (
    <Badge tone="warn" title="Some evaluations or iterations ran offline and are marked simulated; the others are real">
      has simulated runs
    </Badge>
  );
}

export function Tabs({ items, active }: { items: { href: string; label: string; key: string }[]; active: string }) {
  return (
    <nav className={styles.tabs}>
      {items.map((item) => (
        <Link
          key={item.key}
          href={item.href}
          className={`${styles.tab} ${item.key === active ? styles.tabActive : ""}`}
          aria-current={item.key === active ? "page" : undefined}
        >
          {item.label}
        </Link>
      ))}
    </nav>
  );
}
