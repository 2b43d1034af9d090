// An incremental Server-Sent Events parser: bytes arrive in arbitrary chunks (a multi-byte
// character or a "\r\n" may be split across two), events come out whole. Follows the SSE spec
// as the Anthropic SDK reads it: `event:` and `data:` fields, blank line ends an event,
// lines starting with ":" are comments.

export interface SseEvent {
  event: string | null;
  data: string;
}

export class SseParser {
  #decoder = new TextDecoder("utf-8");
  #buffer = "";
  #event: string | null = null;
  #data: string[] = [];
  #sawField = false;

  /** Feeds a chunk; returns the events it completed. */
  push(chunk: Uint8Array | string): SseEvent[] {
    this.#buffer += typeof chunk === "string" ? chunk : this.#decoder.decode(chunk, { stream: true });
    return this.#drain(false);
  }

  /** Flushes what is left at the end of the stream (an event without its final blank line). */
  end(): SseEvent[] {
    this.#buffer += this.#decoder.decode();
    const events = this.#drain(true);
    if (this.#buffer) {
      this.#takeLine(this.#buffer);
      this.#buffer = "";
    }
    const last = this.#dispatch();
    if (last) events.push(last);
    return events;
  }

  #drain(atEnd: boolean): SseEvent[] {
    const events: SseEvent[] = [];
    let start = 0;
    for (;;) {
      const cr = this.#buffer.indexOf("\r", start);
      const lf = this.#buffer.indexOf("\n", start);
      if (cr === -1 && lf === -1) break;
      const end = cr === -1 ? lf : lf === -1 ? cr : Math.min(cr, lf);
      // A "\r" at the very end may be the first half of "\r\n": wait for the next chunk.
      if (end === cr && cr === this.#buffer.length - 1 && !atEnd) break;
      const line = this.#buffer.slice(start, end);
      start = end + (end === cr && this.#buffer.charAt(cr + 1) === "\n" ? 2 : 1);
      const event = this.#takeLine(line);
      if (event) events.push(event);
    }
    this.#buffer = this.#buffer.slice(start);
    return events;
  }

  #takeLine(line: string): SseEvent | null {
    if (line === "") return this.#dispatch();
    if (line.startsWith(":")) return null;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") {
      this.#event = value;
      this.#sawField = true;
    } else if (field === "data") {
      this.#data.push(value);
      this.#sawField = true;
    }
    return null;
  }

  #dispatch(): SseEvent | null {
    if (!this.#sawField) return null;
    const event: SseEvent = { event: this.#event, data: this.#data.join("\n") };
    this.#event = null;
    this.#data = [];
    this.#sawField = false;
    return event;
  }
}
