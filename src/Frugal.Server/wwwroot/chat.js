// The message list: renders history and streams a reply into it.
import { renderMarkdown } from "./markdown.js";
import { describeFinish } from "./reply.js";

const list = () => document.getElementById("messages");

/**
 * What the buttons under a message do; app.js sets them.
 * @type {{edit: (view: MessageView) => void, regenerate: (view: MessageView) => void, copy: (view: MessageView) => void,
 *   select: (messageId: string) => void}}
 */
let handlers = { edit() {}, regenerate() {}, copy() {}, select() {} };

/** @param {typeof handlers} value */
export function setMessageHandlers(value) {
  handlers = value;
}

/** The views of the messages shown, in order. */
export function messageViews() {
  return [...list().children].map((item) => item.view).filter(Boolean);
}

/** Removes every message from the list. */
export function clearMessages() {
  list().replaceChildren();
}

/** Removes the messages after view (they belong to a branch no longer shown). */
export function removeAfter(view) {
  while (view.item.nextElementSibling) view.item.nextElementSibling.remove();
}

/**
 * Shows a stored message (from GET /api/sessions/{id}/messages).
 * @param {any} message
 */
export function showStoredMessage(message) {
  const view = new MessageView(message.role === "user" ? "user" : "assistant");
  view.setText(String(message.content ?? ""));
  view.item.dataset.id = String(message.id);
  if (view.role === "assistant") {
    view.finish({ finishReason: message.finish_reason ?? undefined, tokens: message.token_count });
  }
  view.setVersions(message.versions);
  return view;
}

/** One message in the list; an assistant reply can be streamed into it. */
export class MessageView {
  #text = "";
  #frame = 0;

  /** @param {"user" | "assistant"} role */
  constructor(role) {
    this.role = role;
    this.item = document.createElement("li");
    this.item.className = `message ${role}`;
    const who = document.createElement("p");
    who.className = "who";
    who.textContent = role === "user" ? "You" : "Assistant";
    this.body = document.createElement("div");
    this.body.className = "body markdown";
    this.meta = document.createElement("p");
    this.meta.className = "meta";
    this.actions = document.createElement("div");
    this.actions.className = "actions";
    this.versions = document.createElement("span");
    this.versions.className = "versions";
    this.versions.hidden = true;
    this.actions.append(this.versions);
    for (const [label, action] of role === "user" ? [["Edit", "edit"]] : [["Copy", "copy"], ["Regenerate", "regenerate"]]) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "ghost small";
      button.textContent = label;
      button.dataset.action = action;
      button.addEventListener("click", () => handlers[action](this));
      this.actions.append(button);
    }
    this.item.view = this;
    this.item.append(who, this.body, this.meta, this.actions);
    const stick = nearBottom();
    list().append(this.item);
    if (stick) scrollToBottom();
  }

  get text() {
    return this.#text;
  }

  /** The stored message's id, once the server has said it. */
  get id() {
    return this.item.dataset.id;
  }

  /**
   * Shows "‹ 2 / 3 ›" when the message has other versions (ids oldest first, this one among them).
   * @param {Array<number|string> | null | undefined} versions
   */
  setVersions(versions) {
    const ids = (versions ?? []).map(String);
    const at = ids.indexOf(String(this.id));
    this.versions.replaceChildren();
    this.versions.hidden = ids.length < 2 || at < 0;
    if (this.versions.hidden) return;
    const step = (label, symbol, target) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "ghost small";
      button.textContent = symbol;
      button.setAttribute("aria-label", label);
      button.disabled = target === undefined;
      button.addEventListener("click", () => handlers.select(target));
      return button;
    };
    const where = document.createElement("span");
    where.className = "version-count";
    where.textContent = `${at + 1} / ${ids.length}`;
    where.setAttribute("aria-label", `version ${at + 1} of ${ids.length}`);
    this.versions.append(step("Previous version", "‹", ids[at - 1]), where, step("Next version", "›", ids[at + 1]));
  }

  /** Replaces the text with a box to edit it; resolves with the new text, or null when cancelled. */
  editText() {
    return new Promise((resolve) => {
      const form = document.createElement("form");
      form.className = "edit-form";
      const label = document.createElement("label");
      label.className = "visually-hidden";
      label.textContent = "Edit message";
      const box = document.createElement("textarea");
      box.id = `edit-${this.id}`;
      label.htmlFor = box.id;
      box.value = this.#text;
      box.rows = Math.min(8, Math.max(2, this.#text.split("\n").length));
      const save = document.createElement("button");
      save.type = "submit";
      save.className = "primary small";
      save.textContent = "Save and send";
      const cancel = document.createElement("button");
      cancel.type = "button";
      cancel.className = "ghost small";
      cancel.textContent = "Cancel";
      form.append(label, box, save, cancel);
      const done = (text) => {
        form.remove();
        this.body.hidden = false;
        this.actions.hidden = false;
        resolve(text);
      };
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        const text = box.value.trim();
        if (text) done(text);
      });
      cancel.addEventListener("click", () => done(null));
      box.addEventListener("keydown", (event) => {
        if (event.key === "Escape") done(null);
      });
      this.body.hidden = true;
      this.actions.hidden = true;
      this.item.insertBefore(form, this.meta);
      box.focus();
    });
  }

  /** Marks the reply as being written; assistive technology reads it once it is complete. */
  begin() {
    this.actions.hidden = true;
    this.item.setAttribute("aria-busy", "true");
    this.item.classList.add("streaming");
    this.setNote("Waiting for the model…");
  }

  /** @param {number} position */
  queued(position) {
    this.setNote(position > 0 ? `Waiting in the queue: position ${position}` : "Starting…");
  }

  /** Replaces the text at once. */
  setText(text) {
    this.#text = text;
    this.#render();
  }

  /** Appends streamed text; rendering is batched to one pass per animation frame. */
  append(text) {
    if (!this.#text) this.setNote("");
    this.#text += text;
    if (!this.#frame) {
      this.#frame = requestAnimationFrame(() => {
        this.#frame = 0;
        this.#render();
      });
    }
  }

  setNote(note) {
    this.item.querySelector(".note")?.remove();
    if (!note) return;
    const p = document.createElement("p");
    p.className = "note";
    p.textContent = note;
    this.item.insertBefore(p, this.meta);
  }

  /**
   * Ends the reply and shows its figures.
   * @param {{finishReason?: string, tokens?: number, ttftMs?: number, tokensPerSecond?: number,
   *   error?: string, omitted?: number, restricted?: string[], cached?: boolean, reused?: number}} info
   */
  finish(info) {
    if (this.#frame) cancelAnimationFrame(this.#frame);
    this.#frame = 0;
    this.#render();
    this.item.removeAttribute("aria-busy");
    this.item.classList.remove("streaming");
    this.actions.hidden = false;
    this.setNote("");
    const parts = [];
    const finish = info.error ? { kind: "failed", words: "failed" } : describeFinish(info.finishReason);
    if (finish.kind) this.item.dataset.finish = finish.kind;
    if (finish.words) parts.push(finish.words);
    if (info.tokens !== undefined) parts.push(`${info.tokens} token${info.tokens === 1 ? "" : "s"}`);
    if (info.ttftMs !== undefined) parts.push(`first token ${formatSeconds(info.ttftMs)}`);
    // A reply from the response cache was not decoded: its speed would say nothing.
    if (info.tokensPerSecond !== undefined && !info.cached) parts.push(`${info.tokensPerSecond.toFixed(1)} tokens/s`);
    // How the reply was made cheaply: from the response cache, or on top of the conversation kept from the last turn.
    if (info.cached) parts.push("from the response cache");
    else if (info.reused > 0) parts.push(`${info.reused} prompt token${info.reused === 1 ? "" : "s"} reused`);
    for (const cut of info.restricted ?? []) parts.push(cut);
    if (info.omitted) parts.push(`${info.omitted} earlier message${info.omitted === 1 ? "" : "s"} left out to fit the context`);
    this.meta.textContent = parts.join(" · ");
    if (info.error) {
      const p = document.createElement("p");
      p.className = "error";
      p.textContent = info.error;
      this.item.insertBefore(p, this.meta);
    }
  }

  #render() {
    const stick = nearBottom();
    this.body.replaceChildren(renderMarkdown(this.#text));
    if (stick) scrollToBottom();
  }
}

function formatSeconds(ms) {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

function nearBottom() {
  const el = list();
  return el.scrollHeight - el.scrollTop - el.clientHeight < 80;
}

function scrollToBottom() {
  const el = list();
  el.scrollTop = el.scrollHeight;
}
