/* tmpl.h - HTML templates: a small Mustache subset over a jansson context, escaped by default.
 *
 * Syntax (whitespace inside tags is ignored: {{ name }} == {{name}}):
 *   {{name}} {{a.b.c}}   value by dotted path, HTML-escaped. The first segment is looked up in
 *                        the context stack from the innermost section outwards; the rest descend
 *                        from there (an all-digit segment indexes an array: {{rows.0.name}}).
 *                        string → escaped text; integer/real → number; true → "true";
 *                        a string that is a stored timestamp ("YYYY-MM-DD HH:MM:SS", or an older
 *                        "…THH:MM:SS" / "…THH:MM:SSZ") → "YYYY-MM-DD HH:MM" in the bureau's
 *                        time (clock_display), so no page shows ISO or UTC times;
 *                        false, null, missing, object, array → "".
 *   {{list.length}}      the number of elements of an array. As a section,
 *                        {{#rows.length}}<table>…{{#rows}}…{{/rows}}…</table>{{/rows.length}},
 *                        it tests "non-empty" WITHOUT pushing anything; prefer it to
 *                        {{#rows.0}}, which pushes the first row so that its keys shadow the
 *                        outer ones for the whole section.
 *   {{.}}                the current element (innermost section value).
 *   {{@index}} {{@number}} {{@first}} {{@last}}
 *                        inside an array section: 0-based index, 1-based number (for 序号
 *                        columns), and whether this is the first / last element. They work in
 *                        sections too: {{^@last}}、{{/@last}}. Outside an array they are missing.
 *   {{& name}} {{{name}}} the value UNESCAPED. DANGER: only for HTML the server built itself
 *                        (e.g. a page body rendered by another template, or text that went
 *                        through html_escape). Never for anything a user or an import typed:
 *                        that is an XSS hole.
 *   {{#name}}…{{/name}}  section. array: once per element, the element pushed; object: once,
 *                        pushed; true / non-empty string / non-zero number: once, the value
 *                        pushed. false, null, missing, "", 0, empty array: not rendered.
 *                        Mustache lookup means a key missing from the pushed element is
 *                        searched for in the outer frames: give every row every key it uses
 *                        (null or [] rather than absent) when an outer key has the same name.
 *   {{^name}}…{{/name}}  inverted section: rendered exactly when {{#name}} would not be.
 *   {{> name}}           partial: template web/templates/name.html with the same context.
 *                        Resolved when rendered; nested at most TMPL_MAX_PARTIAL_DEPTH deep
 *                        (so a partial may recurse over a tree).
 *   {{! comment }}       ignored; may span lines.
 * A line holding only a section, inverted, close, partial or comment tag (and blanks) leaves
 * no blank line behind (Mustache "standalone" rule), so <pre> and <textarea> stay clean.
 * Names are made of letters, digits, UTF-8, '_', '-' and '.' separators (partial names: ASCII
 * letters, digits, '_', '-'); anything else, delimiter
 * changes ({{=…=}}), unclosed tags or sections and mismatched closes are parse errors with
 * "web/templates/NAME.html:LINE: message".
 *
 * Templates are the files embedded at build time (the .html files in web/templates/, see embed.h),
 * parsed once on first use and shared read-only by all threads. When the environment variable
 * SPOTCHECK_TEMPLATES names a directory, templates are read from NAME.html there on every
 * render instead (for editing templates without a rebuild; no caching).
 *
 * All functions are thread-safe. */
#ifndef SPOTCHECK_TMPL_H
#define SPOTCHECK_TMPL_H

#include "../core/util.h"

#include <jansson.h>
#include <stddef.h>

#define TMPL_MAX_PARTIAL_DEPTH 16 /* partials inside partials */
#define TMPL_MAX_NESTING 64       /* sections inside sections, per template */

/* Renders template NAME (no directory, no extension: "layout" → web/templates/layout.html)
 * over ctx (borrowed, not modified; NULL means an empty context) and appends the output to
 * out. Returns 0, or -1 with *err set to a newly allocated message (the caller frees it) and
 * out left exactly as it was. Names may use letters, digits, '_' and '-'. */
int tmpl_render(Buf *out, const char *name, json_t *ctx, char **err);

/* Same for a template given as text (len bytes, need not be NUL-terminated), parsed on every
 * call; errors name it "(string)". Partials still come from the template files. */
int tmpl_render_string(Buf *out, const char *text, size_t len, json_t *ctx, char **err);

/* Appends s with & < > " ' replaced by &amp; &lt; &gt; &quot; &#39;, safe in element content
 * and in quoted attribute values. s NULL appends nothing. html_escape_n takes n bytes. */
void html_escape(Buf *out, const char *s);
void html_escape_n(Buf *out, const char *s, size_t n);

#endif
