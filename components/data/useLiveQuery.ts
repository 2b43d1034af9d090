"use client";

// The one way a view follows data that changes on the server while it is open (a run's
// progress, an evaluation, a growing trace): a query re-read on an interval, starting from what
// the server rendered. When an answer changes what the server-rendered page shows (a run ended,
// a stage moved on), the page is re-rendered from the database.
import {
  hashKey,
  useQuery,
  useQueryClient,
  type QueryKey,
  type UseQueryOptions,
  type UseQueryResult,
} from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect, useEffectEvent, useRef } from "react";

export interface LiveQueryOptions<T, K extends QueryKey> {
  /** What to read: a key and its fetcher (components/data/queries.ts). */
  query: UseQueryOptions<T, Error, T, K> & { queryKey: K };
  /** The answer the server rendered the page with: shown first, and fresh, so not re-read at once. */
  initial?: T;
  /** How long to wait before the next read, given the current answer; false stops polling. */
  every: number | false | ((data: T | undefined) => number | false);
  enabled?: boolean;
  /** Given the previous answer (undefined for the first) and a new one: should the page re-render? */
  refreshPageWhen?: (before: T | undefined, after: T) => boolean;
}

export function useLiveQuery<T, K extends QueryKey>(options: LiveQueryOptions<T, K>): UseQueryResult<T> {
  const { initial, every } = options;
  const router = useRouter();
  const queryClient = useQueryClient();
  const result = useQuery<T, Error, T, K>({
    ...options.query,
    initialData: initial === undefined ? undefined : () => initial,
    enabled: options.enabled ?? true,
    refetchInterval: (query) => (typeof every === "function" ? every(query.state.data) : every),
    // Like the timers this replaced: a run also finishes while its tab is in the background.
    refetchIntervalInBackground: true,
    refetchOnMount: false,
    // Nobody watching, nothing kept: the next page that shows it starts from its own server render.
    gcTime: 0,
  });

  // A server re-render (router.refresh) brings a fresher answer: it replaces the cached one.
  const key = hashKey(options.query.queryKey);
  const rendered = useRef(initial);
  const previous = useRef<T | undefined>(result.data);
  useEffect(() => {
    if (initial === undefined || initial === rendered.current) return;
    rendered.current = initial;
    previous.current = initial; // the page already shows it: nothing to refresh for
    queryClient.setQueryData<T>(options.query.queryKey as QueryKey, initial);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the key is followed by its hash
  }, [initial, key, queryClient]);

  const onAnswer = useEffectEvent((before: T | undefined, after: T) => {
    if (options.refreshPageWhen?.(before, after)) router.refresh();
  });
  useEffect(() => {
    const before = previous.current;
    previous.current = result.data;
    if (result.data !== undefined && result.data !== before) onAnswer(before, result.data);
  }, [result.data]);

  return result;
}
