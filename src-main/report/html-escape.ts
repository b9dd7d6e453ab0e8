/** Escaping for everything the report puts into HTML: text, attributes, inline JSON and inline scripts. */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text or an attribute value (quoted with either quote) made inert: dataset, pair and file names come from users. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/**
 * JSON that can sit inside `<script type="application/json">`: no `<` at all (so neither `</script>` nor `<!--`
 * can end or confuse the element), and no U+2028/2029, which older JavaScript parsers treat as line breaks.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * Source code to inline in a `<script>` element. A library's code may hold `</script` or `<!--` in a string or a
 * regular expression; inside those, `<\/` and `<\!` mean the same characters, but they no longer end the element.
 */
export function inlineScript(code: string): string {
  return code.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}
