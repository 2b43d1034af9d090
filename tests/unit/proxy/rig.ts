// A fake Anthropic API behind a recording proxy, with an SDK client holding a fresh credential:
// the arrangement every proxy test starts from.

import Anthropic from "@anthropic-ai/sdk";
import {
  newCredential,
  startRecordingProxy,
  type Attribution,
  type Exchange,
  type RecordingProxy,
  type RecordingProxyOptions,
} from "../../../lib/runner/proxy/index.ts";
import { startFakeAnthropic, type FakeAnthropic, type FakeAnthropicOptions } from "../../fakes/anthropic-server.ts";

export const REAL_KEY = "sk-ant-real-key-for-tests-0123456789";

export interface Rig {
  fake: FakeAnthropic;
  proxy: RecordingProxy;
  credential: string;
  client: Anthropic;
  /** Exchanges in the order the proxy recorded them. */
  exchanges: { exchange: Exchange; attribution: Attribution }[];
  /** Resolves once `count` exchanges have been recorded. */
  waitForExchanges(count: number): Promise<Exchange[]>;
  close(): Promise<void>;
}

export async function startRig(
  opts: {
    fake?: FakeAnthropicOptions;
    proxy?: Partial<RecordingProxyOptions>;
    attribution?: Attribution;
  } = {},
): Promise<Rig> {
  const fake = await startFakeAnthropic({ requireApiKey: REAL_KEY, ...opts.fake });
  const exchanges: Rig["exchanges"] = [];
  let waiters: { count: number; resolve: () => void }[] = [];
  const proxy = await startRecordingProxy({
    upstreamUrl: fake.url,
    apiKey: REAL_KEY,
    retryBaseMs: 5,
    retryMaxMs: 20,
    ...opts.proxy,
    onExchange: (exchange, attribution) => {
      exchanges.push({ exchange, attribution });
      waiters = waiters.filter((w) => {
        if (exchanges.length < w.count) return true;
        w.resolve();
        return false;
      });
    },
  });
  const credential = newCredential();
  proxy.register(credential, opts.attribution ?? { taskRunId: "run_1", evaluationId: "eval_1" });
  const client = new Anthropic({ baseURL: proxy.url, apiKey: credential });

  return {
    fake,
    proxy,
    credential,
    client,
    exchanges,
    waitForExchanges: async (count) => {
      if (exchanges.length < count) {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(
            () => reject(new Error(`expected ${count} exchanges, got ${exchanges.length}`)),
            5_000,
          );
          waiters.push({
            count,
            resolve: () => {
              clearTimeout(timer);
              resolve();
            },
          });
        });
      }
      return exchanges.map((e) => e.exchange);
    },
    close: async () => {
      await proxy.close();
      await fake.close();
    },
  };
}
