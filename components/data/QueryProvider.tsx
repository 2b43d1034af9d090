"use client";

// The one query cache of the browser tab, shared by every page (client navigations keep it).
// On the server each request renders with a fresh client, so no answer leaks between requests.
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";

function newQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // A failed read shows its error at once; live views try again on their next poll, and a
        // trace page or body when it is wanted again (or from its Retry button).
        retry: false,
        // Data that changes on its own is polled (useLiveQuery); the rest (trace pages, event
        // bodies) does not change, so focusing the tab has nothing to re-read.
        refetchOnWindowFocus: false,
      },
    },
  });
}

export function QueryProvider({ children }: { children: ReactNode }) {
  const [client] = useState(newQueryClient);
  return <QueryClientProvider client={client}>{children}</QueryClientProvider>;
}
