import type { Metadata } from "next";
import type { ReactNode } from "react";
import { AppHeader } from "@/components/AppHeader";
import { QueryProvider } from "@/components/data/QueryProvider";
import "./globals.css";

// Every page reads the database at request time; nothing is prerendered at build.
export const dynamic = "force-dynamic";

export const metadata: Metadata = {
  title: { default: "Harness Studio", template: "%s · Harness Studio" },
  description: "Evaluate LLM harnesses, read their raw traces, and let a proposer write the next one.",
  icons: { icon: "/favicon.svg" },
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <QueryProvider>
          <AppHeader modelReady={Boolean(process.env.ANTHROPIC_API_KEY)} />
          <main>{children}</main>
        </QueryProvider>
      </body>
    </html>
  );
}
