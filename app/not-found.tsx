import Link from "next/link";
import { EmptyState, Page, ui } from "@/components/ui";

export default function NotFound() {
  return (
    <Page>
      <section className={ui.card}>
        <EmptyState icon="?" title="Not found">
          <p>
            Nothing lives at this address. <Link href="/projects">Back to projects</Link>
          </p>
        </EmptyState>
      </section>
    </Page>
  );
}
