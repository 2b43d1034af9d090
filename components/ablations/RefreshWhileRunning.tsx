"use client";

// While an arm of the ablation is still running, the page re-renders itself every few seconds.
import { useRouter } from "next/navigation";
import { useEffect } from "react";

export function RefreshWhileRunning({ running, everyMs = 3000 }: { running: boolean; everyMs?: number }) {
  const router = useRouter();
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => router.refresh(), everyMs);
    return () => clearInterval(timer);
  }, [running, everyMs, router]);
  return null;
}
