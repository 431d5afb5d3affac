// Server-sent events over fetch. EventSource cannot send an Authorization header, so the page reads
// the response body itself and parses the SSE framing: "data:" lines joined by newlines, an event
// dispatched at each blank line, and ":" comment lines (the server reports queue positions in them).

/** Incremental SSE parser: feed it decoded text, get back comments and events. */
export class SseParser {
  #buffer = "";
  #data = [];
  #event = "";

  /**
   * @param {string} text a chunk of the decoded stream
   * @returns {Array<{kind: "comment", text: string} | {kind: "event", event: string, data: string}>}
   */
  push(text) {
    this.#buffer += text;
    const out = [];
    let newline;
    while ((newline = this.#buffer.search(/\r\n|\r|\n/)) >= 0) {
      // A lone "\r" at the end of the buffer may be the first half of "\r\n": wait for more.
      if (this.#buffer[newline] === "\r" && newline === this.#buffer.length - 1) break;
      const line = this.#buffer.slice(0, newline);
      const width = this.#buffer.startsWith("\r\n", newline) ? 2 : 1;
      this.#buffer = this.#buffer.slice(newline + width);
      this.#line(line, out);
    }
    return out;
  }

  /** Flushes an event left unterminated when the stream ended. */
  end() {
    const out = [];
    if (this.#buffer) this.#line(this.#buffer, out);
    this.#buffer = "";
    this.#line("", out);
    return out;
  }

  #line(line, out) {
    if (line === "") {
      if (this.#data.length > 0) {
        out.push({ kind: "event", event: this.#event || "message", data: this.#data.join("\n") });
      }
      this.#data = [];
      this.#event = "";
      return;
    }
    if (line.startsWith(":")) {
      out.push({ kind: "comment", text: line.slice(1).trim() });
      return;
    }
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") this.#data.push(value);
    else if (field === "event") this.#event = value;
  }
}

/**
 * Reads an SSE response body to its end, yielding parsed items as they arrive.
 * @param {ReadableStream<Uint8Array>} body
 */
export async function* readSse(body) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  const parser = new SseParser();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      yield* parser.push(value);
    }
    yield* parser.end();
  } finally {
    reader.releaseLock();
  }
}
