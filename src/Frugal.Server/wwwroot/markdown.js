// A small Markdown renderer for chat messages.
//
// Safety: model output and user text are untrusted. This renderer never parses HTML: it builds DOM
// nodes with createElement and puts every piece of text in through createTextNode / textContent, so
// any "<script>" or "<img onerror=...>" in the input stays literal text. Links are kept only for
// http(s) and mailto URLs. Nothing here ever assigns innerHTML.

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([\w+#.-]*)/;
const HEADING = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const RULE = /^ {0,3}([-*_])(?:\s*\1){2,}\s*$/;
const QUOTE = /^ {0,3}>\s?/;
const BULLET = /^(\s*)[-*+]\s+(.*)$/;
const ORDERED = /^(\s*)(\d{1,9})[.)]\s+(.*)$/;

// Inline syntax, earliest match wins: code spans, bold, italics, strike-through, links.
const INLINE = new RegExp([
  "(`+)([^`]|[^`][\\s\\S]*?[^`])\\1(?!`)",                 // 1,2 code span
  "\\*\\*(?=\\S)([\\s\\S]*?\\S)\\*\\*",                      // 3 bold
  "(?<![\\w_])__(?=\\S)([\\s\\S]*?\\S)__(?![\\w_])",         // 4 bold
  "\\*(?=[^\\s*])([\\s\\S]*?[^\\s*])\\*",                    // 5 italic
  "(?<![\\w_])_(?=[^\\s_])([\\s\\S]*?[^\\s_])_(?![\\w_])",   // 6 italic
  "~~(?=\\S)([\\s\\S]*?\\S)~~",                              // 7 strike-through
  "\\[([^\\]\\n]+)\\]\\(\\s*([^\\s)]+)\\s*\\)",              // 8,9 link
].join("|"));

/**
 * Renders Markdown text into a DocumentFragment, safely.
 * @param {string} text
 * @returns {DocumentFragment}
 */
export function renderMarkdown(text) {
  const fragment = document.createDocumentFragment();
  const lines = String(text ?? "").replace(/\r\n?/g, "\n").split("\n");
  renderBlocks(lines, fragment);
  return fragment;
}

function renderBlocks(lines, parent) {
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (line.trim() === "") {
      i++;
      continue;
    }
    const fence = FENCE.exec(line);
    if (fence) {
      i = renderFence(lines, i, fence, parent);
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      // Chat headings sit inside a message: start at h3 so they never outrank the page's headings.
      const level = Math.min(6, heading[1].length + 2);
      parent.append(inline(el(`h${level}`), heading[2]));
      i++;
      continue;
    }
    if (RULE.test(line)) {
      parent.append(el("hr"));
      i++;
      continue;
    }
    if (QUOTE.test(line)) {
      const inner = [];
      while (i < lines.length && QUOTE.test(lines[i])) {
        inner.push(lines[i].replace(QUOTE, ""));
        i++;
      }
      const quote = el("blockquote");
      renderBlocks(inner, quote);
      parent.append(quote);
      continue;
    }
    if (BULLET.test(line) || ORDERED.test(line)) {
      i = renderList(lines, i, parent);
      continue;
    }
    i = renderParagraph(lines, i, parent);
  }
}

function renderFence(lines, start, fence, parent) {
  const marker = fence[1];
  const closing = new RegExp(`^ {0,3}${marker[0] === "`" ? "`" : "~"}{${marker.length},}\\s*$`);
  const body = [];
  let i = start + 1;
  // An unclosed fence (a reply still streaming) runs to the end of the text.
  while (i < lines.length && !closing.test(lines[i])) {
    body.push(lines[i]);
    i++;
  }
  const pre = el("pre");
  const code = el("code");
  if (fence[2]) {
    code.className = `language-${fence[2].replace(/[^\w+#.-]/g, "")}`;
    pre.dataset.language = fence[2];
  }
  code.textContent = body.join("\n");
  pre.append(code);
  parent.append(pre);
  return i + 1;
}

function renderList(lines, start, parent) {
  const ordered = ORDERED.test(lines[start]) && !BULLET.test(lines[start]);
  const list = el(ordered ? "ol" : "ul");
  if (ordered) {
    const first = Number(ORDERED.exec(lines[start])[2]);
    if (first !== 1) list.start = first;
  }
  const pattern = ordered ? ORDERED : BULLET;
  let i = start;
  let item = null;
  let itemLines = [];
  const flush = () => {
    if (item) {
      renderBlocks(itemLines, item);
      unwrapSingleParagraph(item);
      list.append(item);
    }
  };
  while (i < lines.length) {
    const line = lines[i];
    const match = pattern.exec(line);
    if (match && match[1].length < 2) {
      flush();
      item = el("li");
      itemLines = [ordered ? match[3] : match[2]];
    } else if (line.trim() !== "" && (/^\s{2,}/.test(line) || (!FENCE.test(line) && !HEADING.test(line) && !QUOTE.test(line) && !BULLET.test(line) && !ORDERED.test(line) && itemLines.length && itemLines[itemLines.length - 1].trim() !== ""))) {
      // An indented line (a nested list or continuation) or a lazy continuation belongs to the item.
      itemLines.push(line.replace(/^\s{2,4}/, ""));
    } else if (line.trim() === "" && i + 1 < lines.length && (pattern.test(lines[i + 1]) || /^\s{2,}\S/.test(lines[i + 1]))) {
      itemLines.push("");
    } else {
      break;
    }
    i++;
  }
  flush();
  parent.append(list);
  return i;
}

function unwrapSingleParagraph(item) {
  if (item.childNodes.length === 1 && item.firstChild.nodeName === "P") {
    const p = item.firstChild;
    item.replaceChildren(...p.childNodes);
  }
}

function renderParagraph(lines, start, parent) {
  const p = el("p");
  let i = start;
  let first = true;
  while (i < lines.length) {
    const line = lines[i];
    if (line.trim() === "" || (!first && (FENCE.test(line) || HEADING.test(line) || RULE.test(line) || QUOTE.test(line) || BULLET.test(line) || ORDERED.test(line)))) {
      break;
    }
    if (!first) p.append(el("br"));
    inline(p, line.trim());
    first = false;
    i++;
  }
  parent.append(p);
  return i;
}

/** Appends the inline-formatted text to parent and returns parent. */
function inline(parent, text) {
  let rest = text;
  while (rest.length > 0) {
    const m = INLINE.exec(rest);
    if (!m) {
      parent.append(document.createTextNode(rest));
      break;
    }
    if (m.index > 0) parent.append(document.createTextNode(rest.slice(0, m.index)));
    parent.append(inlineNode(m));
    rest = rest.slice(m.index + m[0].length);
  }
  return parent;
}

function inlineNode(m) {
  if (m[1] !== undefined) {
    const code = el("code");
    code.textContent = m[2].replace(/^ (.*) $/s, "$1");
    return code;
  }
  if (m[3] !== undefined || m[4] !== undefined) return inline(el("strong"), m[3] ?? m[4]);
  if (m[5] !== undefined || m[6] !== undefined) return inline(el("em"), m[5] ?? m[6]);
  if (m[7] !== undefined) return inline(el("del"), m[7]);
  const href = safeUrl(m[9]);
  if (!href) return document.createTextNode(m[0]);
  const a = el("a");
  a.href = href;
  a.rel = "noopener noreferrer nofollow";
  a.target = "_blank";
  return inline(a, m[8]);
}

function safeUrl(raw) {
  try {
    const url = new URL(raw, "http://invalid.invalid/");
    if (url.host === "invalid.invalid") return null;
    return ["http:", "https:", "mailto:"].includes(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

function el(name) {
  return document.createElement(name);
}
