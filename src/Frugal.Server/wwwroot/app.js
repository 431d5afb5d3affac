// Frugal's chat page: sign in with an API key, keep chats on the server, stream replies.
import { Api, ApiError } from "./api.js";
import { clearMessages, MessageView, messageViews, removeAfter, setMessageHandlers, showStoredMessage } from "./chat.js";
import { copyText, downloadText, fileNameFor } from "./transfer.js";
import { fillSettings, readSettings, SETTING_INPUTS } from "./settings.js";
import { interpret } from "./reply.js";
import { describeStatus, memoryDetails } from "./status.js";

const KEY = "frugal.key";
const CURRENT = "frugal.session";
const STATUS_EVERY_MS = 15000;
// While memory is short the banner should leave as soon as the server recovers: look more often.
const STATUS_UNDER_PRESSURE_EVERY_MS = 2000;

const $ = (id) => document.getElementById(id);
const state = { api: null, sessions: [], currentId: null, detail: null, reply: null, statusTimer: 0, settingsTimer: 0, settingsEdits: 0, replies: 0 };

// ---- Sign in ----------------------------------------------------------------------------------

async function start() {
  wireEvents();
  const key = sessionStorage.getItem(KEY);
  if (key) {
    await signIn(key, { restoring: true });
  } else {
    showSignIn();
  }
}

function showSignIn(message) {
  state.api = null;
  clearTimeout(state.statusTimer);
  $("chat-view").hidden = true;
  $("sign-out").hidden = true;
  $("sessions-toggle").hidden = true;
  $("memory").hidden = true;
  $("banner").hidden = true;
  $("signin-view").hidden = false;
  const error = $("signin-error");
  error.hidden = !message;
  error.textContent = message ?? "";
  $("api-key").setAttribute("aria-invalid", message ? "true" : "false");
  $("api-key").focus();
}

async function signIn(key, { restoring = false } = {}) {
  const api = new Api(key);
  const button = $("signin-submit");
  button.disabled = true;
  try {
    state.sessions = await api.listSessions();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      sessionStorage.removeItem(KEY);
      showSignIn(restoring ? "Your saved key is no longer accepted. Sign in again." : "That API key was not accepted. Check it and try again.");
    } else {
      showSignIn(error.message ?? String(error));
    }
    return;
  } finally {
    button.disabled = false;
  }
  sessionStorage.setItem(KEY, key);
  state.api = api;
  $("api-key").value = "";
  $("signin-view").hidden = true;
  $("chat-view").hidden = false;
  $("sign-out").hidden = false;
  $("sessions-toggle").hidden = false;
  const remembered = sessionStorage.getItem(CURRENT);
  const current = state.sessions.find((s) => String(s.id) === remembered) ?? state.sessions[0];
  renderSessions();
  await openSession(current?.id ?? null);
  refreshStatus();
  $("composer-input").focus();
}

function signOut() {
  state.reply?.controller.abort();
  sessionStorage.removeItem(KEY);
  sessionStorage.removeItem(CURRENT);
  state.sessions = [];
  state.currentId = null;
  clearMessages();
  showSignIn();
}

// ---- Sessions ---------------------------------------------------------------------------------

function titleOf(session) {
  return (session?.title ?? "").trim() || "Untitled chat";
}

function renderSessions() {
  const list = $("session-list");
  list.replaceChildren(...state.sessions.map((session) => {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "session";
    button.dataset.id = String(session.id);
    const title = document.createElement("span");
    title.className = "session-title";
    title.textContent = titleOf(session);
    button.append(title);
    const when = session.updated_at;
    if (when) {
      const time = document.createElement("time");
      time.dateTime = when;
      time.textContent = new Date(when).toLocaleString([], { dateStyle: "short", timeStyle: "short" });
      button.append(time);
    }
    if (String(session.id) === String(state.currentId)) button.setAttribute("aria-current", "true");
    button.addEventListener("click", () => {
      closeSidebar();
      openSession(session.id).then(() => $("composer-input").focus());
    });
    item.append(button);
    return item;
  }));
  $("session-empty").hidden = state.sessions.length > 0;
}

async function openSession(id) {
  if (state.reply) state.reply.controller.abort();
  state.currentId = id;
  if (id === null) sessionStorage.removeItem(CURRENT);
  else sessionStorage.setItem(CURRENT, String(id));
  cancelRename();
  closeSystemForm();
  const session = state.sessions.find((s) => String(s.id) === String(id));
  $("session-title").textContent = session ? titleOf(session) : "New chat";
  for (const button of ["rename-session", "delete-session", "export-markdown", "export-json"]) $(button).disabled = !session;
  renderSessions();
  clearMessages();
  $("empty-chat").hidden = false;
  // A new chat keeps the settings shown; its system prompt starts empty.
  state.detail = null;
  showSystemPrompt(null);
  if (!session) return;
  const edits = state.settingsEdits;
  const replies = state.replies;
  try {
    const [detail, messages] = await Promise.all([state.api.getSession(id), state.api.listMessages(id)]);
    if (String(state.currentId) !== String(id)) return;
    state.detail = detail;
    // Options changed while the chat loaded are the user's newer choice (being saved): never overwrite them.
    if (state.settingsEdits === edits) fillSettings(detail.settings);
    showSystemPrompt(detail.system_prompt);
    // A message sent while the chat loaded is already shown with its reply: the list read before it is older.
    if (state.replies === replies) showBranch(messages);
  } catch (error) {
    report(error);
  }
}

function showBranch(messages) {
  clearMessages();
  for (const message of messages) showStoredMessage(message);
  $("empty-chat").hidden = messages.length > 0;
}

async function createSession(title, systemPrompt) {
  const options = { settings: readSettings() };
  if (title) options.title = title;
  if (systemPrompt) options.system_prompt = systemPrompt;
  const session = await state.api.createSession(options);
  state.sessions.unshift(session);
  await openSession(session.id);
  return session;
}

async function refreshSessions() {
  try {
    state.sessions = await state.api.listSessions();
    renderSessions();
  } catch (error) {
    report(error);
  }
}

function startRename() {
  const session = current();
  if (!session) return;
  $("rename-input").value = session.title ?? "";
  $("rename-form").hidden = false;
  $("session-title").hidden = true;
  $("chat-actions").hidden = true;
  $("rename-input").focus();
  $("rename-input").select();
}

function cancelRename() {
  const wasOpen = !$("rename-form").hidden;
  $("rename-form").hidden = true;
  $("session-title").hidden = false;
  $("chat-actions").hidden = false;
  return wasOpen;
}

async function saveRename(event) {
  event.preventDefault();
  const session = current();
  const title = $("rename-input").value.trim();
  if (!session || !title) return;
  try {
    const updated = await state.api.renameSession(session.id, title);
    session.title = updated.title;
    cancelRename();
    $("session-title").textContent = titleOf(session);
    renderSessions();
    $("rename-session").focus();
  } catch (error) {
    report(error);
  }
}

async function deleteSession() {
  const session = current();
  if (!session || !confirm(`Delete the chat "${titleOf(session)}" and all its messages?`)) return;
  try {
    await state.api.deleteSession(session.id);
    state.sessions = state.sessions.filter((s) => s !== session);
    await openSession(state.sessions[0]?.id ?? null);
    say(`Deleted "${titleOf(session)}".`);
    $("new-session").focus();
  } catch (error) {
    report(error);
  }
}

function current() {
  return state.sessions.find((s) => String(s.id) === String(state.currentId));
}

// ---- Sending and streaming --------------------------------------------------------------------

async function send(event) {
  event?.preventDefault();
  const input = $("composer-input");
  const text = input.value.trim();
  if (!text || state.reply || !state.api) return;
  let session = current();
  try {
    if (!session) session = await createSession(titleFrom(text));
    else if (!session.title?.trim() && $("messages").childElementCount === 0) {
      state.api.renameSession(session.id, titleFrom(text))
        .then((s) => { session.title = s.title; renderSessions(); $("session-title").textContent = titleOf(session); })
        .catch(report);
    }
  } catch (error) {
    report(error);
    return;
  }
  input.value = "";
  $("empty-chat").hidden = true;
  const sent = new MessageView("user");
  sent.setText(text);
  await streamReply(session, sent, (body, signal) => state.api.sendMessage(session.id, { ...body, content: text }, signal));
}

/**
 * Streams a reply into a new view at the end of the list and shows its figures; sent is the user's message it answers.
 * @param {(body: object, signal: AbortSignal) => AsyncGenerator<any>} request starts the stream with the reply options
 */
async function streamReply(session, sent, request) {
  const view = new MessageView("assistant");
  view.begin();
  const reply = { controller: new AbortController(), view };
  state.reply = reply;
  state.replies++;
  setStreaming(true);
  say("Sending…");

  const started = performance.now();
  let firstAt = 0;
  let deltas = 0;
  let done = {};
  try {
    for await (const item of request(readSettings(), reply.controller.signal)) {
      for (const step of interpret(item)) {
        if (step.type === "start") {
          if (sent) sent.item.dataset.id = step.userMessageId;
        } else if (step.type === "queue") {
          view.queued(step.position);
          say(step.position > 0 ? `Waiting in the queue: position ${step.position}` : "Starting…");
          if (step.position > 0) refreshStatus(); // the top bar shows the queue this message joined
        } else if (step.type === "delta") {
          if (!firstAt) { firstAt = performance.now(); say("Replying…"); }
          deltas++;
          view.append(step.text);
        } else if (step.type === "done" || step.type === "info") {
          done = { ...done, ...definedOnly(step) };
        } else if (step.type === "error") {
          throw new ApiError(200, step.message, { code: step.code });
        }
      }
    }
    const seconds = firstAt ? (performance.now() - firstAt) / 1000 : 0;
    view.finish({
      finishReason: done.finishReason,
      tokens: done.usage?.completion_tokens ?? (deltas || undefined),
      ttftMs: done.ttftMs ?? (firstAt ? firstAt - started : undefined),
      tokensPerSecond: done.tokensPerSecond ?? (deltas > 1 && seconds > 0 ? (deltas - 1) / seconds : undefined),
      omitted: done.omitted,
      restricted: done.restricted,
      cached: done.cached,
      reused: done.usage?.cached_prompt_tokens,
    });
    if (done.messageId !== undefined) view.item.dataset.id = String(done.messageId);
    say("Reply finished.");
  } catch (error) {
    if (error?.name === "AbortError") {
      view.finish({ finishReason: "stopped", tokens: deltas || undefined, ttftMs: firstAt ? firstAt - started : undefined });
      say("Reply stopped.");
    } else {
      view.finish({ error: error?.message ?? String(error) });
      report(error);
    }
  } finally {
    if (state.reply === reply) state.reply = null;
    setStreaming(false);
    refreshSessions();
    refreshStatus();
    refreshVersions(session.id);
  }
}

// ---- Versions, copy, edit, regenerate ----------------------------------------------------------

// The server says which messages have other versions; the views shown get their "‹ n / m ›".
async function refreshVersions(id) {
  try {
    const messages = await state.api.listMessages(id);
    if (String(state.currentId) !== String(id)) return;
    const byId = new Map(messages.map((m) => [String(m.id), m]));
    for (const view of messageViews()) view.setVersions(byId.get(String(view.id))?.versions);
  } catch (error) {
    report(error);
  }
}

async function selectVersion(messageId) {
  const session = current();
  if (!session || state.reply) return;
  try {
    showBranch(await state.api.selectVersion(session.id, messageId));
    say("Showing another version.");
  } catch (error) {
    report(error);
  }
}

async function editMessage(view) {
  const session = current();
  if (!session || state.reply || !view.id) return;
  const text = await view.editText();
  if (text === null || state.reply || String(current()?.id) !== String(session.id)) return;
  const edited = view.id;
  removeAfter(view);
  view.setText(text);
  view.setVersions(null);
  await streamReply(session, view, (body, signal) => state.api.sendMessage(session.id, { ...body, content: text, version_of: Number(edited) }, signal));
}

async function regenerateReply(view) {
  const session = current();
  if (!session || state.reply || !view.id) return;
  const replaced = view.id;
  // The new reply takes the old one's place; what followed the old one belongs to its branch.
  const answered = messageViews()[messageViews().indexOf(view) - 1] ?? null;
  removeAfter(view);
  view.item.remove();
  await streamReply(session, answered, (body, signal) => state.api.regenerate(session.id, replaced, body, signal));
}

async function copyReply(view) {
  try {
    await copyText(view.text);
    say("Reply copied.");
  } catch {
    say("Could not copy: select the text and copy it.");
  }
}

// ---- System prompt, settings, export, import ----------------------------------------------------

function showSystemPrompt(text) {
  const summary = $("system-summary");
  summary.hidden = !text;
  summary.textContent = text ? `System prompt: ${text}` : "";
  summary.title = text ?? "";
}

function openSystemForm() {
  $("system-input").value = state.detail?.system_prompt ?? "";
  $("system-form").hidden = false;
  $("system-prompt").setAttribute("aria-expanded", "true");
  $("system-input").focus();
}

function closeSystemForm() {
  $("system-form").hidden = true;
  $("system-prompt").setAttribute("aria-expanded", "false");
}

async function saveSystemPrompt(event) {
  event.preventDefault();
  const text = $("system-input").value.trim();
  try {
    const session = current();
    if (!session) {
      await createSession(undefined, text || undefined);
    } else {
      state.detail = await state.api.updateSession(session.id, { system_prompt: text || null });
    }
    showSystemPrompt(text || null);
    closeSystemForm();
    say(text ? "System prompt saved." : "System prompt removed.");
    $("system-prompt").focus();
  } catch (error) {
    report(error);
  }
}

// The reply options belong to the chat: kept on the server a moment after they change.
function settingsChanged() {
  state.settingsEdits++;
  clearTimeout(state.settingsTimer);
  const session = current();
  if (!session) return;
  state.settingsTimer = setTimeout(async () => {
    try {
      state.detail = await state.api.updateSession(session.id, { settings: readSettings() });
    } catch (error) {
      report(error);
    }
  }, 300);
}

async function exportChat(format) {
  const session = current();
  $("export-menu").open = false;
  if (!session) return;
  try {
    const text = await state.api.exportSession(session.id, format);
    downloadText(text, fileNameFor(titleOf(session), format), format === "json" ? "application/json" : "text/markdown");
    say(`Exported "${titleOf(session)}" as ${format === "json" ? "JSON" : "Markdown"}.`);
  } catch (error) {
    report(error);
  }
}

async function importChat() {
  const input = $("import-file");
  const file = input.files?.[0];
  input.value = "";
  if (!file) return;
  try {
    const session = await state.api.importSession(await file.text());
    state.sessions.unshift(session);
    await openSession(session.id);
    say(`Imported "${titleOf(session)}".`);
  } catch (error) {
    report(error instanceof ApiError && error.status === 400 ? new ApiError(400, `Not imported: ${error.message}`) : error);
  }
}

function stop() {
  state.reply?.controller.abort();
}

function setStreaming(on) {
  // Focus stays in the message box while typing; it only follows the button that disappears.
  const moveFocus = document.activeElement === $(on ? "send" : "stop") || document.activeElement === document.body;
  $("send").hidden = on;
  $("stop").hidden = !on;
  if (moveFocus) $(on ? "stop" : "composer-input").focus();
}

function titleFrom(text) {
  const line = text.split("\n")[0].trim();
  return line.length > 48 ? `${line.slice(0, 47)}…` : line;
}

function definedOnly(step) {
  return Object.fromEntries(Object.entries(step).filter(([k, v]) => v !== undefined && k !== "type"));
}

// ---- Status, messages to the person ------------------------------------------------------------

async function refreshStatus() {
  if (!state.api) return;
  const api = state.api;
  clearTimeout(state.statusTimer);
  let status;
  try {
    status = await api.status();
  } catch (error) {
    if (state.api !== api) return;
    if (error instanceof ApiError && error.status === 401) return showSignIn("Your key is no longer accepted. Sign in again.");
    $("memory").hidden = true;
    scheduleStatus(STATUS_EVERY_MS);
    return;
  }
  if (state.api !== api) return;
  const info = describeStatus(status);
  scheduleStatus(info.banner ? STATUS_UNDER_PRESSURE_EVERY_MS : STATUS_EVERY_MS);
  const pill = $("memory");
  pill.hidden = !info.summary;
  if (pill.textContent !== (info.summary ?? "")) pill.textContent = info.summary ?? "";
  pill.dataset.level = (info.emergency ? "emergency" : info.level ?? "").toLowerCase();
  pill.title = memoryDetails(status);
  const banner = $("banner");
  banner.hidden = !info.banner;
  if (banner.textContent !== (info.banner ?? "")) banner.textContent = info.banner ?? "";
}

// One pending refresh at a time: every refresh (timer, reply end, tab shown) sets the next one.
function scheduleStatus(delayMs) {
  clearTimeout(state.statusTimer);
  state.statusTimer = setTimeout(refreshStatus, delayMs);
}

function say(text) {
  $("chat-status").textContent = text;
}

function report(error) {
  if (error instanceof ApiError && error.status === 401) {
    showSignIn("Your key is no longer accepted. Sign in again.");
    return;
  }
  let text = error?.message ?? String(error);
  if (error instanceof ApiError && error.retryAfter) text += ` (try again in ${error.retryAfter} s)`;
  say(text);
}

// ---- Wiring ------------------------------------------------------------------------------------

function closeSidebar() {
  document.body.classList.remove("sidebar-open");
  $("sessions-toggle").setAttribute("aria-expanded", "false");
}

function wireEvents() {
  $("signin-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const key = $("api-key").value.trim();
    if (!key) return showSignIn("Enter your API key.");
    signIn(key);
  });
  $("sign-out").addEventListener("click", signOut);
  $("new-session").addEventListener("click", () => {
    closeSidebar();
    createSession().then(() => $("composer-input").focus(), report);
  });
  $("rename-session").addEventListener("click", startRename);
  $("rename-form").addEventListener("submit", saveRename);
  $("rename-cancel").addEventListener("click", () => { cancelRename(); $("rename-session").focus(); });
  $("rename-input").addEventListener("keydown", (event) => {
    if (event.key === "Escape") { cancelRename(); $("rename-session").focus(); }
  });
  $("delete-session").addEventListener("click", deleteSession);
  $("system-prompt").addEventListener("click", () => ($("system-form").hidden ? openSystemForm() : closeSystemForm()));
  $("system-form").addEventListener("submit", saveSystemPrompt);
  $("system-cancel").addEventListener("click", () => { closeSystemForm(); $("system-prompt").focus(); });
  for (const id of SETTING_INPUTS) $(id).addEventListener("input", settingsChanged);
  $("export-markdown").addEventListener("click", () => exportChat("markdown"));
  $("export-json").addEventListener("click", () => exportChat("json"));
  $("import-session").addEventListener("click", () => $("import-file").click());
  $("import-file").addEventListener("change", importChat);
  setMessageHandlers({ edit: editMessage, regenerate: regenerateReply, copy: copyReply, select: selectVersion });
  $("composer").addEventListener("submit", send);
  $("stop").addEventListener("click", stop);
  $("composer-input").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      send();
    } else if (event.key === "Escape" && state.reply) {
      stop();
    }
  });
  $("sessions-toggle").addEventListener("click", () => {
    const open = document.body.classList.toggle("sidebar-open");
    $("sessions-toggle").setAttribute("aria-expanded", String(open));
    if (open) $("new-session").focus();
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && document.body.classList.contains("sidebar-open")) {
      closeSidebar();
      $("sessions-toggle").focus();
    }
  });
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) refreshStatus();
  });
}

start();
