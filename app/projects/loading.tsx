import { Page } from "@/components/ui";

export default function Loading() {
  return (
    <Page>
      <p className="muted">Loading…</p>
    </Page>
  );
}
