// Model API errors in plain words, for the run controls, the iteration page and the CLI: what
// went wrong and what to do about it, with the API's own code and message kept for reference.
import { errorText } from "./http.ts";

interface ApiError {
  status: number | null;
  type: string | null;
  message: string;
}

function parts(status: number | null, body: unknown): ApiError {
  const err = (body as { error?: { type?: unknown; message?: unknown } } | null)?.error;
  if (err && typeof err === "object")
    return { status, type: typeof err.type === "string" ? err.type : null, message: String(err.message ?? "") };
  return { status, type: null, message: typeof body === "string" ? body.slice(0, 300) : "" };
}

const code = ({ status, type, message }: ApiError) =>
  [status, type].filter(Boolean).join(" ") + (message ? `: ${message}` : "");

/**
 * An upstream answer that no harness can work around: the key is refused, or the account
 * cannot pay. An evaluation stops at the first one instead of scoring every task as failed.
 */
export function accountRefusal(status: number, body: unknown): string | null {
  const error = parts(status, body);
  if (status === 401 || error.type === "authentication_error")
    return `The model API refused the API key (${code(error)}). Check ANTHROPIC_API_KEY in the studio's environment.`;
  if (/credit balance|billing/i.test(error.message))
    return `The model API account cannot pay for more calls (${code(error)}).`;
  return null;
}

/** Any error from a model call (an SDK APIError or a connection failure) in words. */
export function modelErrorInWords(error: unknown): string {
  // An SDK APIError carries the response body as `error`.
  const { status, error: body } = (error ?? {}) as { status?: unknown; error?: unknown };
  const apiStatus = typeof status === "number" ? status : null;
  if (apiStatus === null) return `Could not reach the model API (${errorText(error)}).`;
  const parsed = parts(apiStatus, body);
  const refusal = accountRefusal(apiStatus, body);
  if (refusal) return refusal;
  if (apiStatus === 403) return `The API key is not allowed to do this (${code(parsed)}).`;
  if (apiStatus === 404)
    return `The model API does not know this model or endpoint (${code(parsed)}). Check the model names in the project's settings.`;
  if (apiStatus === 429)
    return `The model API kept answering "rate limited" after every retry (${code(parsed)}). Wait a minute and run again, or run fewer tasks at once.`;
  if (apiStatus === 529) return `The model API was overloaded after every retry (${code(parsed)}). Try again later.`;
  if (/budget/i.test(parsed.message)) return `A budget was reached: ${parsed.message}`;
  if (apiStatus >= 500) return `The model API failed (${code(parsed)}).`;
  return `The model API answered ${code(parsed)}.`;
}
