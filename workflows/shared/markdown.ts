// The Web UI renders a saga's current details as Markdown. Text that callers chose (a customer's cancel reason, ids,
// services' messages that may echo input) must reach operators as text: never as links, images, headings or HTML.

// Inline markup only: the text is always set mid-line (after a label, whitespace collapsed), where `-`, `+`, `.`,
// `#` and `!` start nothing, so ids keep their plain look (`ord_…-1`); `!` needs the `[` it is escaped from.
const SPECIAL = /[\\`*_[\]()|<>~&]/g;

/**
 * `text` as literal Markdown text, on one line. Markdown's own characters are escaped; `:` and `@` become
 * character references, so GFM's autolinks (`https://…`, `www.…`, `user@host`) do not turn a URL into a link.
 */
export function mdText(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .replace(SPECIAL, (c) => `\\${c}`)
    .replace(/[:@]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** `text` as inline code, on one line; backticks inside cannot close it. */
export function mdCode(text: string): string {
  const clean = text.replace(/\s+/g, ' ').trim();
  if (clean === '') return '—';
  const fence = '`'.repeat((clean.match(/`+/g) ?? ['']).reduce((max, run) => Math.max(max, run.length), 0) + 1);
  return `${fence} ${clean} ${fence}`;
}
