// Model API errors in words: what happened and what to do, with the API's code kept.
import Anthropic from "@anthropic-ai/sdk";
import { describe, expect, it } from "vitest";
import { accountRefusal, modelErrorInWords } from "../../../lib/runner/proxy/api-errors.ts";

const apiError = (status: number, type: string, message: string) =>
  Anthropic.APIError.generate(status, { type: "error", error: { type, message } }, undefined, new Headers());

describe("modelErrorInWords", () => {
  it("names the cause and the remedy for each kind of refusal", () => {
    expect(modelErrorInWords(apiError(401, "authentication_error", "invalid x-api-key"))).toBe(
      "The model API refused the API key (401 authentication_error: invalid x-api-key). Check ANTHROPIC_API_KEY in the studio's environment.",
    );
    expect(
      modelErrorInWords(apiError(429, "rate_limit_error", "Number of requests has exceeded your rate limit")),
    ).toMatch(
      /^The model API kept answering "rate limited" after every retry \(429 rate_limit_error: Number of requests.*Wait a minute/,
    );
    expect(modelErrorInWords(apiError(529, "overloaded_error", "Overloaded"))).toBe(
      "The model API was overloaded after every retry (529 overloaded_error: Overloaded). Try again later.",
    );
    expect(modelErrorInWords(apiError(404, "not_found_error", "model: claude-nope"))).toMatch(
      /does not know this model.*claude-nope.*project's settings/,
    );
    expect(
      modelErrorInWords(
        apiError(400, "invalid_request_error", "Your credit balance is too low to access the Anthropic API."),
      ),
    ).toMatch(/^The model API account cannot pay for more calls/);
    expect(
      modelErrorInWords(apiError(400, "invalid_request_error", "The task run's token budget of 100 tokens is used up")),
    ).toBe("A budget was reached: The task run's token budget of 100 tokens is used up");
    expect(modelErrorInWords(apiError(500, "api_error", "Internal server error"))).toBe(
      "The model API failed (500 api_error: Internal server error).",
    );
  });

  it("says when the API could not be reached at all", () => {
    const error = new Anthropic.APIConnectionError({
      message: "Connection error.",
      cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" }),
    });
    expect(modelErrorInWords(error)).toBe("Could not reach the model API (Connection error.).");
  });
});

describe("accountRefusal", () => {
  it("stops on a refused key or an unpaid account, not on errors a harness causes", () => {
    expect(accountRefusal(401, { error: { type: "authentication_error", message: "invalid x-api-key" } })).toMatch(
      /refused the API key/,
    );
    expect(
      accountRefusal(400, { error: { type: "invalid_request_error", message: "Your credit balance is too low" } }),
    ).toMatch(/cannot pay/);
    expect(
      accountRefusal(400, { error: { type: "invalid_request_error", message: "max_tokens: Field required" } }),
    ).toBeNull();
    expect(accountRefusal(404, { error: { type: "not_found_error", message: "model: claude-nope" } })).toBeNull();
    expect(accountRefusal(429, { error: { type: "rate_limit_error", message: "slow down" } })).toBeNull();
  });
});
