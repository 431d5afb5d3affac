// Files in and out of the page: a chat export saved as a download, a reply put on the clipboard.

/** Saves text as a file the browser downloads. */
export function downloadText(text, fileName, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/** "My trip.md" from a chat's title: letters, digits, spaces and dashes kept. */
export function fileNameFor(title, format) {
  const base = String(title).replace(/[^\p{L}\p{N} _-]+/gu, " ").trim().replace(/\s+/g, " ").slice(0, 60) || "chat";
  return `${base}.${format === "json" ? "json" : "md"}`;
}

/** Puts text on the clipboard (the asynchronous API, or a selected text area where it is refused). */
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return;
  } catch {
    // Not a secure context, or no permission: the old way below.
  }
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.append(area);
  area.select();
  const copied = document.execCommand("copy");
  area.remove();
  if (!copied) throw new Error("copy refused");
}
