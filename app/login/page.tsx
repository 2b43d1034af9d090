import { headers } from "next/headers";
import path from "node:path";
import { Page, ui } from "@/components/ui";
import { dataDir } from "@/lib/paths";
import { SECRET_FILE } from "@/lib/server/secret";

export const metadata = { title: "Sign in" };

// Reached without the secret (the guard lets /login through): it says where the sign-in link
// is, never the secret. With STUDIO_TOKEN set the operator chose the secret, so no file is named.
export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<{ next?: string; error?: string }>;
}) {
  const { next, error } = await searchParams;
  const operatorToken = Boolean(process.env.STUDIO_TOKEN?.trim());
  const host = (await headers()).get("host") ?? "127.0.0.1:3000"; // no STUDIO_TOKEN: loopback only, and the guard allows only loopback names
  return (
    <Page>
      <div className={ui.card} style={{ maxWidth: 640, margin: "40px auto", padding: 28, display: "grid", gap: 16 }}>
        <div>
          <h1>Sign in to Harness Studio</h1>
          <p className="muted" style={{ marginTop: 6 }}>
            The studio asks for its secret on every request, even from this machine: harnesses and other local programs
            can reach 127.0.0.1 too. A browser signs in once, with a link.
          </p>
        </div>
        {error && <p className={ui.error}>That secret is not right. Use the newest sign-in link.</p>}
        {operatorToken ? (
          <p>
            This studio uses the access token its operator set (<code>STUDIO_TOKEN</code>). Paste it below, or, on the
            server, run <code>npx studio link</code> with the same <code>STUDIO_TOKEN</code> to print the sign-in link.
          </p>
        ) : (
          <div className={ui.steps} style={{ maxWidth: "none", marginTop: 0, minWidth: 0 }}>
            <div className={ui.step}>
              <span className={ui.stepNo}>1</span>
              <div style={{ minWidth: 0 }}>
                Open the link that <code>npm start</code> printed in its terminal:
                <code className={ui.command}>Sign in (once per browser): http://{host}/login?token=…</code>
              </div>
            </div>
            <div className={ui.step}>
              <span className={ui.stepNo}>2</span>
              <div style={{ minWidth: 0 }}>
                Lost it? Print it again from the studio&apos;s folder:
                <code className={ui.command}>npx studio link</code>
              </div>
            </div>
            <div className={ui.step}>
              <span className={ui.stepNo}>3</span>
              <div style={{ minWidth: 0 }}>
                Or paste the secret below. It is in this file, readable by its owner only:
                <code className={ui.command}>{path.join(dataDir(), SECRET_FILE)}</code>
              </div>
            </div>
          </div>
        )}
        <form method="post" action="/api/login" style={{ display: "flex", gap: 8, flexWrap: "wrap" }}>
          <input type="hidden" name="next" value={next ?? "/"} />
          <input
            className={ui.input}
            style={{ flex: "1 1 260px" }}
            type="password"
            name="token"
            placeholder={operatorToken ? "Access token" : "Secret"}
            aria-label={operatorToken ? "Access token" : "Secret"}
            autoComplete="current-password"
            required
          />
          <button className={`${ui.button} ${ui.buttonPrimary}`} type="submit">
            Sign in
          </button>
        </form>
      </div>
    </Page>
  );
}
