import { Page, ui } from "@/components/ui";

export const metadata = { title: "Sign in" };

export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<{ next?: string; error?: string }>;
}) {
  const { next, error } = await searchParams;
  return (
    <Page>
      <div className={ui.card} style={{ maxWidth: 420, margin: "64px auto", padding: 24, display: "grid", gap: 14 }}>
        <h1>Sign in</h1>
        <p className="muted">
          This studio listens beyond this machine, so it asks for its access token (the server&apos;s STUDIO_TOKEN).
        </p>
        {error && <p className={ui.error}>That token is not right.</p>}
        <form method="post" action="/api/login" style={{ display: "grid", gap: 12 }}>
          <input type="hidden" name="next" value={next ?? "/"} />
          <input
            className={ui.input}
            type="password"
            name="token"
            placeholder="Access token"
            autoComplete="current-password"
            autoFocus
            required
          />
          <button className={`${ui.button} ${ui.buttonPrimary}`} type="submit" style={{ justifyContent: "center" }}>
            Sign in
          </button>
        </form>
      </div>
    </Page>
  );
}
