/* test_tmpl.c - the template engine (src/web/tmpl.c) and the page shell
 * (web/templates/layout.html): every tag, the context stack, escaping and XSS strings, parse errors
 * with lines, partials and their depth limit, the SPOTCHECK_TEMPLATES override, thread safety and
 * speed. */
#include "core/embed.h"
#include "web/tmpl.h"

#include "t.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Renders text over the JSON document ctx_json (NULL: no context). Returns a static copy of the
 * output, or "ERR: message" on failure. */
static char result[65536];
static const char *render(const char *text, const char *ctx_json) {
    json_t *ctx = NULL;
    if (ctx_json) {
        json_error_t je;
        ctx = json_loads(ctx_json, 0, &je);
        if (!ctx) {
            snprintf(result, sizeof result, "BAD TEST JSON: %s", je.text);
            return result;
        }
    }
    Buf b;
    buf_init(&b);
    char *err = NULL;
    if (tmpl_render_string(&b, text, strlen(text), ctx, &err) == 0)
        snprintf(result, sizeof result, "%s", b.data ? b.data : "");
    else
        snprintf(result, sizeof result, "ERR: %s", err ? err : "(no message)");
    free(err);
    buf_free(&b);
    json_decref(ctx);
    return result;
}

static int contains(const char *hay, const char *needle) {
    return strstr(hay, needle) != NULL;
}

static void test_escape(void) {
    Buf b;
    buf_init(&b);
    html_escape(&b, "a&b<c>d\"e'f");
    CHECK_STR(b.data, "a&amp;b&lt;c&gt;d&quot;e&#39;f");
    buf_reset(&b);
    html_escape(&b, NULL);
    html_escape(&b, "");
    CHECK_INT(b.len, 0);
    html_escape(&b, "医保 “双随机” 〇");
    CHECK_STR(b.data, "医保 “双随机” 〇");
    buf_reset(&b);
    html_escape_n(&b, "<b>x", 3); /* only n bytes */
    CHECK_STR(b.data, "&lt;b&gt;");
    buf_reset(&b);
    html_escape(&b, "&amp;"); /* already-escaped text is escaped again, not trusted */
    CHECK_STR(b.data, "&amp;amp;");
    buf_free(&b);
}

static void test_values(void) {
    CHECK_STR(render("[{{s}}]", "{\"s\":\"文本\"}"), "[文本]");
    CHECK_STR(render("{{i}} {{n}} {{z}}", "{\"i\":42,\"n\":-7,\"z\":0}"), "42 -7 0");
    CHECK_STR(render("{{min}}", "{\"min\":-9223372036854775808}"), "-9223372036854775808");
    CHECK_STR(render("{{big}}", "{\"big\":9007199254740993}"), "9007199254740993");
    CHECK_STR(render("{{a}} {{b}} {{c}}", "{\"a\":0.1,\"b\":1.5,\"c\":3.0}"), "0.1 1.5 3");
    CHECK_STR(render("[{{t}}|{{f}}|{{z}}|{{m}}]", "{\"t\":true,\"f\":false,\"z\":null}"),
              "[true|||]");
    CHECK_STR(render("[{{o}}|{{a}}]", "{\"o\":{\"x\":1},\"a\":[1,2]}"), "[|]");
    CHECK_STR(render("{{ s }}|{{\ts\n}}", "{\"s\":\"x\"}"), "x|x");
    CHECK_STR(render("no tags at all", NULL), "no tags at all");
    CHECK_STR(render("", NULL), "");
    CHECK_STR(render("[{{x}}]", NULL), "[]");
    CHECK_STR(render("{ single } braces {x}", "{}"), "{ single } braces {x}");
}

/* Stored timestamps are shown as people write them, in the bureau's time (Asia/Shanghai by
 * default); anything else that merely looks like one is left alone. */
static void test_timestamps(void) {
    CHECK_STR(render("{{t}}", "{\"t\":\"2026-12-06 08:52:13\"}"), "2026-12-06 08:52");
    CHECK_STR(render("{{t}}", "{\"t\":\"2026-12-06T08:52:13\"}"), "2026-12-06 08:52");
    CHECK_STR(render("{{t}}", "{\"t\":\"2026-12-06T00:52:13Z\"}"), "2026-12-06 08:52");
    CHECK_STR(render("{{{t}}}", "{\"t\":\"2026-12-31T16:10:00Z\"}"), "2027-01-01 00:10");
    CHECK_STR(render("{{t}}", "{\"t\":\"2026-12-06\"}"), "2026-12-06");
    CHECK_STR(render("{{t}}", "{\"t\":\"2026-12-06 08:52\"}"), "2026-12-06 08:52");
    CHECK_STR(render("{{t}}", "{\"t\":\"于 2026-12-06 08:52:13\"}"), "于 2026-12-06 08:52:13");
    CHECK_STR(render("{{t}}", "{\"t\":\"2026-13-06 08:52:13\"}"), "2026-13-06 08:52:13");
}

static void test_dotted(void) {
    const char *ctx =
        "{\"a\":{\"b\":{\"c\":\"deep\"}},\"rows\":[{\"name\":\"r0\"},{\"name\":\"r1\"}]}";
    CHECK_STR(render("{{a.b.c}}", ctx), "deep");
    CHECK_STR(render("[{{a.x.c}}]", ctx), "[]");
    CHECK_STR(render("[{{a.b.c.d}}]", ctx), "[]");
    CHECK_STR(render("{{rows.1.name}}", ctx), "r1");
    CHECK_STR(render("[{{rows.2.name}}]", ctx), "[]");
    /* list.length counts, and as a section tests non-empty without pushing anything. */
    CHECK_STR(render("{{rows.length}}", ctx), "2");
    CHECK_STR(render("{{#rows.length}}n={{rows.length}} {{name}}{{/rows.length}}",
                     "{\"name\":\"outer\",\"rows\":[{\"name\":\"row\"}]}"),
              "n=1 outer");
    CHECK_STR(render("[{{#e.length}}x{{/e.length}}{{^e.length}}empty{{/e.length}}]", "{\"e\":[]}"),
              "[empty]");
    CHECK_STR(render("[{{a.length}}]", ctx), "[]"); /* objects have no length */
    CHECK_STR(render("{{o.length}}", "{\"o\":{\"length\":7}}"), "7");
    /* The pitfall .length avoids: {{#rows.0}} pushes the first row. */
    CHECK_STR(render("{{#rows.0}}{{name}}{{/rows.0}}",
                     "{\"name\":\"outer\",\"rows\":[{\"name\":\"row\"}]}"),
              "row");
    CHECK_STR(render("{{#a.b}}{{c}}{{/a.b}}", ctx), "deep");
}

static void test_escaping_output(void) {
    const char *ctx =
        "{\"x\":\"<script>alert('x')</script>\",\"attr\":\"\\\" onmouseover=\\\"alert(1)\","
        "\"q\":\"' onfocus='alert(2)\",\"amp\":\"A&B\"}";
    CHECK_STR(render("{{x}}", ctx), "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
    CHECK_STR(render("<a title=\"{{attr}}\">", ctx),
              "<a title=\"&quot; onmouseover=&quot;alert(1)\">");
    CHECK_STR(render("<a title='{{q}}'>", ctx), "<a title='&#39; onfocus=&#39;alert(2)'>");
    CHECK_STR(render("{{amp}}", ctx), "A&amp;B");
    /* Escaped in sections and via {{.}} too. */
    CHECK_STR(render("{{#l}}{{.}}{{/l}}", "{\"l\":[\"<i>\",\"&\"]}"), "&lt;i&gt;&amp;");
    CHECK_STR(render("{{#s}}{{.}}{{/s}}", "{\"s\":\"<b>\"}"), "&lt;b&gt;");
    /* Nothing of a value is ever interpreted as a tag. */
    CHECK_STR(render("{{v}}", "{\"v\":\"{{w}}\",\"w\":\"no\"}"), "{{w}}");
}

static void test_raw(void) {
    const char *ctx = "{\"h\":\"<b>粗</b> & 'x'\"}";
    CHECK_STR(render("{{& h}}", ctx), "<b>粗</b> & 'x'");
    CHECK_STR(render("{{&h}}", ctx), "<b>粗</b> & 'x'");
    CHECK_STR(render("{{{h}}}", ctx), "<b>粗</b> & 'x'");
    CHECK_STR(render("{{{ h }}}", ctx), "<b>粗</b> & 'x'");
    CHECK_STR(render("{{&n}}", "{\"n\":5}"), "5");
}

static void test_sections(void) {
    /* Rendered once per element, with the element pushed. */
    CHECK_STR(render("{{#l}}<{{n}}>{{/l}}", "{\"l\":[{\"n\":1},{\"n\":2},{\"n\":3}]}"),
              "<1><2><3>");
    CHECK_STR(render("{{#o}}{{k}}{{/o}}", "{\"o\":{\"k\":\"v\"}}"), "v");
    CHECK_STR(render("{{#o}}yes{{/o}}", "{\"o\":{}}"), "yes");
    /* Truthy scalars render once. */
    const char *truthy[] = {"true", "\"x\"", "1", "-1", "0.5"};
    for (size_t i = 0; i < ARRAY_LEN(truthy); i++) {
        char ctx[64];
        snprintf(ctx, sizeof ctx, "{\"v\":%s}", truthy[i]);
        CHECK_STR(render("[{{#v}}on{{/v}}{{^v}}off{{/v}}]", ctx), "[on]");
    }
    /* Falsy values skip the section and render the inverted one. */
    const char *falsy[] = {"false", "null", "\"\"", "0", "0.0", "[]"};
    for (size_t i = 0; i < ARRAY_LEN(falsy); i++) {
        char ctx[64];
        snprintf(ctx, sizeof ctx, "{\"v\":%s}", falsy[i]);
        CHECK_STR(render("[{{#v}}on{{/v}}{{^v}}off{{/v}}]", ctx), "[off]");
    }
    CHECK_STR(render("[{{#missing}}on{{/missing}}{{^missing}}off{{/missing}}]", "{}"), "[off]");
    CHECK_STR(render("[{{#v}}on{{/v}}{{^v}}off{{/v}}]", NULL), "[off]");
    /* A string section pushes the string. */
    CHECK_STR(render("{{#v}}({{.}}){{/v}}", "{\"v\":\"值\"}"), "(值)");
    /* Empty sections and adjacent ones. */
    CHECK_STR(render("a{{#v}}{{/v}}b{{^v}}{{/v}}c", "{\"v\":true}"), "abc");
    CHECK_STR(render("{{#a}}1{{/a}}{{#b}}2{{/b}}", "{\"a\":1,\"b\":1}"), "12");
}

static void test_context_stack(void) {
    const char *ctx = "{\"title\":\"T\",\"name\":\"outer\",\"rows\":[{\"name\":\"in1\"},"
                      "{\"other\":1}],\"cfg\":{\"unit\":\"元\"},\"u\":{\"x\":{}}}";
    /* Inner key wins; missing inner key falls back to the outer frames. */
    CHECK_STR(render("{{#rows}}{{name}}/{{title}};{{/rows}}", ctx), "in1/T;outer/T;");
    /* Dotted lookups start in the innermost frame that has the first segment. */
    CHECK_STR(render("{{#rows}}{{cfg.unit}}{{/rows}}", ctx), "元元");
    /* Once the first segment is found, the rest does not fall back outwards (Mustache). */
    CHECK_STR(render("{{#u}}[{{x.title}}]{{/u}}", ctx), "[]");
    /* Nested arrays: {{.}} is the innermost element. */
    CHECK_STR(render("{{#m}}{{#.}}{{.}}{{/.}};{{/m}}", "{\"m\":[[1,2],[3]]}"), "12;3;");
    CHECK_STR(render("{{#l}}{{.}}{{/l}}", "{\"l\":[\"a\",1,true,null]}"), "a1true");
    /* Inverted sections do not push anything. */
    CHECK_STR(render("{{#rows}}{{^other}}{{name}}{{/other}}{{/rows}}", ctx), "in1");
    /* {{.}} at the top is the root; an object prints nothing. */
    CHECK_STR(render("[{{.}}]", ctx), "[]");
}

static void test_index(void) {
    const char *ctx = "{\"a\":[\"x\",\"y\",\"z\"],\"g\":[{\"l\":[1,2]},{\"l\":[3]}]}";
    CHECK_STR(render("{{#a}}{{@index}}{{@number}}{{.}} {{/a}}", ctx), "01x 12y 23z ");
    CHECK_STR(render("{{#a}}{{.}}{{^@last}}、{{/@last}}{{/a}}", ctx), "x、y、z");
    CHECK_STR(render("{{#a}}{{#@first}}[{{/@first}}{{.}}{{#@last}}]{{/@last}}{{/a}}", ctx),
              "[xyz]");
    CHECK_STR(render("{{#a}}{{@first}},{{@last}};{{/a}}", ctx), "true,;,;,true;");
    /* @index 0 is falsy like any zero, 1.. truthy. */
    CHECK_STR(render("{{#a}}{{#@index}}+{{/@index}}{{.}}{{/a}}", ctx), "x+y+z");
    /* Innermost array wins, also inside an object section within it. */
    CHECK_STR(render("{{#g}}{{#l}}{{@index}}{{/l}}|{{/g}}", ctx), "01|0|");
    CHECK_STR(render("{{#g}}{{@index}}{{#l}}{{/l}}{{/g}}", ctx), "01");
    CHECK_STR(render("{{#o}}{{#a}}{{/a}}{{/o}}{{#a}}{{#o}}{{@index}}{{/o}}{{/a}}",
                     "{\"o\":{\"k\":1},\"a\":[1,2]}"),
              "01");
    /* Outside any array they are missing. */
    CHECK_STR(render("[{{@index}}{{@first}}{{#@last}}x{{/@last}}]", ctx), "[]");
    CHECK_STR(render("{{#o}}[{{@index}}]{{/o}}", "{\"o\":{}}"), "[]");
}

static void test_comments_standalone(void) {
    CHECK_STR(render("a{{! a comment }}b", NULL), "ab");
    CHECK_STR(render("a{{!\n multi\n line }}b", NULL), "ab");
    CHECK_STR(render("a{{! {{not_a_tag}} }}b", NULL), "a }}b"); /* ends at the first }} */
    /* Lines with only a section/comment tag leave nothing behind... */
    CHECK_STR(render("<ul>\n  {{#l}}\n  <li>{{.}}</li>\n  {{/l}}\n</ul>\n", "{\"l\":[1,2]}"),
              "<ul>\n  <li>1</li>\n  <li>2</li>\n</ul>\n");
    CHECK_STR(render("a\n{{! note }}\nb\n", NULL), "a\nb\n");
    CHECK_STR(render("a\r\n\t{{^x}}\r\nb\r\n{{/x}}\r\n", NULL), "a\r\nb\r\n");
    CHECK_STR(render("{{#x}}\nin\n{{/x}}", "{\"x\":1}"), "in\n");
    /* ...but variables and inline tags keep their line. */
    CHECK_STR(render("a\n  {{v}}\nb", "{\"v\":\"\"}"), "a\n  \nb");
    CHECK_STR(render("<p>{{#x}}on{{/x}}</p>\n", "{\"x\":1}"), "<p>on</p>\n");
    CHECK_STR(render("x {{#x}}\ny", "{\"x\":1}"),
              "ERR: (string):1: section {{#x}} is never closed");
}

/* Checks that rendering text fails with an error containing want, and leaves out untouched. */
static void check_error(const char *text, const char *want) {
    Buf b;
    buf_init(&b);
    buf_puts(&b, "keep");
    char *err = NULL;
    int rc = tmpl_render_string(&b, text, strlen(text), NULL, &err);
    CHECK_INT(rc, -1);
    CHECK(err && strstr(err, want));
    if (!err || !strstr(err, want))
        fprintf(stderr, "  template %s: error \"%s\", expected \"%s\"\n", text, err ? err : "",
                want);
    CHECK_STR(b.data, "keep");
    CHECK_INT(b.len, 4);
    free(err);
    buf_free(&b);
}

static void test_errors(void) {
    check_error("a\n{{#x}}\nb", "(string):2: section {{#x}} is never closed");
    check_error("{{#a}}\n{{#b}}\n{{/a}}",
                "(string):3: {{/a}} does not match {{#b}} opened at line 2");
    check_error("{{^a}}{{/b}}", "(string):1: {{/b}} does not match {{^a}}");
    check_error("x\n\n{{/a}}", "(string):3: {{/a}} closes no open section");
    check_error("ok\n{{name", "(string):2: tag \"{{\" is never closed");
    check_error("{{{name}}", "tag \"{{{\" is never closed");
    check_error("{{! comment", "is never closed");
    check_error("{{}}", "(string):1: empty tag");
    check_error("{{#}}{{/}}", "empty tag");
    check_error("{{a b}}", "bad name \"a b\"");
    check_error("{{a..b}}", "bad name");
    check_error("{{.a}}", "bad name");
    check_error("{{a.}}", "bad name");
    check_error("{{\"x\"}}", "bad name");
    check_error("{{@idx}}", "bad name \"@idx\"");
    check_error("{{=<% %>=}}", "delimiter changes");
    check_error("{{> ../etc/passwd}}", "bad partial name");
    check_error("{{>}}", "bad partial name");
    /* Line numbers count lines inside earlier multi-line comments. */
    check_error("{{! one\ntwo\nthree }}\n{{/x}}", "(string):4:");
    /* Nesting limit. */
    Buf deep;
    buf_init(&deep);
    for (int i = 0; i <= TMPL_MAX_NESTING; i++)
        buf_puts(&deep, "{{#a}}");
    for (int i = 0; i <= TMPL_MAX_NESTING; i++)
        buf_puts(&deep, "{{/a}}");
    check_error(deep.data, "nested deeper");
    buf_reset(&deep);
    for (int i = 0; i < TMPL_MAX_NESTING; i++)
        buf_puts(&deep, "{{#a}}");
    for (int i = 0; i < TMPL_MAX_NESTING; i++)
        buf_puts(&deep, "{{/a}}");
    CHECK_STR(render(deep.data, "{\"a\":true}"), "");
    buf_free(&deep);
    /* A name that is not a template. */
    Buf b;
    buf_init(&b);
    char *err = NULL;
    CHECK_INT(tmpl_render(&b, "../layout", NULL, &err), -1);
    CHECK(err && strstr(err, "bad template name"));
    CHECK_INT(tmpl_render(&b, "no_such_template_xyz", NULL, &err), -1);
    CHECK(err && strstr(err, "no template web/templates/no_such_template_xyz.html"));
    CHECK_INT(b.len, 0);
    free(err);
    buf_free(&b);
}

static void test_utf8(void) {
    CHECK_STR(render("〔{{机构}}〕{{#项}}·{{名称}}{{/项}}「」",
                     "{\"机构\":\"XX市医疗保障局\",\"项\":[{\"名称\":\"定点医药机构\"}]}"),
              "〔XX市医疗保障局〕·定点医药机构「」");
    CHECK_STR(render("{{s}}", "{\"s\":\"医疗保障“双随机、一公开”🏥\"}"),
              "医疗保障“双随机、一公开”🏥");
}

/* ---------------------------------------------------------------- partials (from a directory) */

static char tdir[64];

static void write_tmpl(const char *name, const char *text) {
    char path[160];
    snprintf(path, sizeof path, "%s/%s.html", tdir, name);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f) return;
    fputs(text, f);
    fclose(f);
}

static void test_partials(void) {
    snprintf(tdir, sizeof tdir, "/tmp/spotcheck-tmpl-XXXXXX");
    CHECK(mkdtemp(tdir) != NULL);
    write_tmpl("row", "<td>{{name}}</td>{{! row partial }}");
    write_tmpl("page", "<h1>{{title}}</h1>\n{{#rows}}\n{{> row}}\n{{/rows}}\n");
    write_tmpl("loop", "x{{> loop}}");
    write_tmpl("tree", "<li>{{name}}{{#children.length}}<ul>{{#children}}{{> "
                       "tree}}{{/children}}</ul>{{/children.length}}</li>");
    write_tmpl("broken", "line1\n{{#open}}\n");
    write_tmpl("uses_broken", "{{> broken}}");
    write_tmpl("uses_missing", "a\n{{> nowhere}}");
    setenv("SPOTCHECK_TEMPLATES", tdir, 1);

    Buf b;
    buf_init(&b);
    char *err = NULL;
    json_t *ctx =
        json_pack("{s:s, s:[{s:s},{s:s}]}", "title", "<T>", "rows", "name", "a", "name", "b&");
    CHECK_INT(tmpl_render(&b, "page", ctx, &err), 0);
    CHECK_STR(b.data, "<h1>&lt;T&gt;</h1>\n<td>a</td><td>b&amp;</td>");
    json_decref(ctx);

    /* Partial from a string template, same context. */
    CHECK_STR(render("[{{#r}}{{> row}}{{/r}}]", "{\"r\":{\"name\":\"n\"}}"), "[<td>n</td>]");

    /* Recursion over a tree terminates by data... */
    buf_reset(&b);
    /* Leaves need "children": [] - a missing key would be found in the parent's frame
     * (Mustache lookup), and recurse until the depth limit. */
    ctx = json_loads("{\"name\":\"root\",\"children\":[{\"name\":\"a\",\"children\":"
                     "[{\"name\":\"a1\",\"children\":[]}]},{\"name\":\"b\",\"children\":[]}]}",
                     0, NULL);
    CHECK_INT(tmpl_render(&b, "tree", ctx, &err), 0);
    CHECK_STR(b.data, "<li>root<ul><li>a<ul><li>a1</li></ul></li><li>b</li></ul></li>");
    json_decref(ctx);

    /* ...and endless recursion stops at the depth limit with an error, output untouched. */
    buf_reset(&b);
    buf_puts(&b, "keep");
    CHECK_INT(tmpl_render(&b, "loop", NULL, &err), -1);
    CHECK(err && strstr(err, "loop.html:1: partials nested deeper than 16"));
    CHECK_STR(b.data, "keep");
    /* The depth limit counts nesting, not use: many sibling partials are fine. */
    CHECK_STR(render("{{#l}}{{> row}}{{/l}}",
                     "{\"l\":[{\"name\":1},{\"name\":2},{\"name\":3},{\"name\":4},{\"name\":5},"
                     "{\"name\":6},{\"name\":7},{\"name\":8},{\"name\":9},{\"name\":10},"
                     "{\"name\":11},{\"name\":12},{\"name\":13},{\"name\":14},{\"name\":15},"
                     "{\"name\":16},{\"name\":17}]}"),
              "<td>1</td><td>2</td><td>3</td><td>4</td><td>5</td><td>6</td><td>7</td><td>8</td>"
              "<td>9</td><td>10</td><td>11</td><td>12</td><td>13</td><td>14</td><td>15</td>"
              "<td>16</td><td>17</td>");

    /* Unknown partial: the including template and line are named. */
    CHECK_INT(tmpl_render(&b, "uses_missing", NULL, &err), -1);
    CHECK(err && strstr(err, "uses_missing.html:2: unknown partial \"nowhere\""));
    /* A partial that does not parse reports its own file and line. */
    CHECK_INT(tmpl_render(&b, "uses_broken", NULL, &err), -1);
    CHECK(err && strstr(err, "in partial \"broken\"") &&
          strstr(err, "broken.html:2: section {{#open}} is never closed"));
    /* Partials not used by the rendered path are not needed. */
    CHECK_STR(render("{{#no}}{{> nowhere}}{{/no}}ok", "{}"), "ok");

    /* The directory is read on every render: edits show up at once. */
    write_tmpl("row", "<td class=\"v2\">{{name}}</td>");
    CHECK_STR(render("{{> row}}", "{\"name\":\"x\"}"), "<td class=\"v2\">x</td>");

    unsetenv("SPOTCHECK_TEMPLATES");
    /* Back to the embedded templates, which hold no "page". */
    CHECK_INT(tmpl_render(&b, "page", NULL, &err), -1);
    CHECK(err && strstr(err, "no template web/templates/page.html"));
    free(err);
    buf_free(&b);

    const char *names[] = {"row", "page", "loop", "tree", "broken", "uses_broken", "uses_missing"};
    for (size_t i = 0; i < ARRAY_LEN(names); i++) {
        char path[160];
        snprintf(path, sizeof path, "%s/%s.html", tdir, names[i]);
        unlink(path);
    }
    rmdir(tdir);
}

/* ---------------------------------------------------------------- the embedded layout */

static json_t *layout_ctx(void) {
    json_t *ctx = json_pack(
        "{s:s, s:s, s:{s:s, s:s, s:s}, s:[{s:s, s:s, s:b},{s:s, s:s, s:b}], s:{s:s, s:s}, s:s}",
        "title", "检查对象名录库", "body", "<section class=\"card\">正文</section>", "user",
        "display_name", "张三<script>", "role_label", "检查科室", "org_name", "XX市医疗保障局",
        "nav", "href", "/", "label", "首页", "active", 0, "href", "/d/targets", "label",
        "检查对象名录库", "active", 1, "flash", "kind", "success", "text", "已保存。", "csrf",
        "tok\"en");
    return ctx;
}

static void test_layout(void) {
    unsetenv("SPOTCHECK_TEMPLATES");
    json_t *ctx = layout_ctx();
    Buf b;
    buf_init(&b);
    char *err = NULL;
    CHECK_INT(tmpl_render(&b, "layout", ctx, &err), 0);
    if (err) fprintf(stderr, "  %s\n", err);
    const char *h = b.data ? b.data : "";
    CHECK(str_starts(h, "<!DOCTYPE html>"));
    CHECK(contains(h, "<html lang=\"zh-CN\">"));
    CHECK(contains(h, "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"));
    CHECK(contains(h, "<link rel=\"stylesheet\" href=\"/static/app.css\">"));
    CHECK(contains(h, "<script src=\"/static/app.js\" defer></script>"));
    CHECK(contains(h, "<title>检查对象名录库 - 医疗保障“双随机、一公开”监管平台</title>"));
    CHECK(contains(h, "<section class=\"card\">正文</section>")); /* body unescaped */
    CHECK(contains(h, "张三&lt;script&gt;"));                     /* user data escaped */
    CHECK(!contains(h, "张三<script>"));
    CHECK(contains(h, "检查科室 · XX市医疗保障局"));
    CHECK(contains(h, "<form class=\"logout-form\" method=\"post\" action=\"/logout\">"));
    CHECK(contains(h, "<input type=\"hidden\" name=\"csrf\" value=\"tok&quot;en\">"));
    CHECK(contains(
        h, "<a href=\"/d/targets\" class=\"active\" aria-current=\"page\">检查对象名录库</a>"));
    CHECK(contains(h, "<a href=\"/\">首页</a>"));
    CHECK(contains(h, "<div class=\"flash flash-success\" role=\"status\">已保存。</div>"));
    CHECK(!contains(h, "工作人员登录"));
    CHECK(!contains(h, "style="));
    CHECK(!contains(h, "{{"));

    /* Signed out: the simple header, no navigation or logout. */
    buf_reset(&b);
    json_t *pub = json_pack("{s:s, s:s}", "title", "公开门户", "body", "<p>x</p>");
    CHECK_INT(tmpl_render(&b, "layout", pub, &err), 0);
    h = b.data ? b.data : "";
    CHECK(contains(h, "工作人员登录"));
    CHECK(contains(h, "class=\"signed-out\""));
    CHECK(!contains(h, "logout"));
    CHECK(!contains(h, "sidenav"));
    CHECK(!contains(h, "flash"));
    json_decref(pub);

    /* Breadcrumbs with separators between, not after. */
    buf_reset(&b);
    json_object_set_new(
        ctx, "crumbs",
        json_pack("[{s:s, s:s},{s:s}]", "href", "/d/targets", "label", "名录", "label", "详情"));
    CHECK_INT(tmpl_render(&b, "layout", ctx, &err), 0);
    CHECK(contains(b.data, "<a href=\"/d/targets\">名录</a><span class=\"sep\" "
                           "aria-hidden=\"true\">/</span><span>详情</span></nav>"));
    json_decref(ctx);
    free(err);
    buf_free(&b);
}

/* Every embedded template parses and renders over an empty context, and none needs inline script
 * or style (CSP default-src 'self'). */
static void test_all_templates(void) {
    unsetenv("SPOTCHECK_TEMPLATES");
    size_t n = 0;
    for (size_t i = 0; i < embedded_count; i++) {
        const EmbeddedFile *f = &embedded_files[i];
        if (!str_starts(f->name, "web/templates/")) continue;
        n++;
        size_t len = strlen(f->name) - strlen("web/templates/") - strlen(".html");
        char name[128];
        snprintf(name, sizeof name, "%.*s", (int)len, f->name + strlen("web/templates/"));
        Buf b;
        buf_init(&b);
        char *err = NULL;
        json_t *ctx = json_object();
        int rc = tmpl_render(&b, name, ctx, &err);
        CHECK_INT(rc, 0);
        if (rc) fprintf(stderr, "  %s: %s\n", name, err ? err : "");
        char *src = xstrndup((const char *)f->data, f->len);
        int inline_script = 0;
        for (const char *p = src; (p = strstr(p, "<script")); p++)
            if (!str_starts(p, "<script src=")) inline_script = 1;
        int handler = 0;
        for (const char *p = src; (p = strstr(p, " on")); p++) {
            const char *q = p + 3;
            while (*q >= 'a' && *q <= 'z')
                q++;
            if (q > p + 3 && *q == '=') handler = 1;
        }
        CHECK(!inline_script);
        CHECK(!handler);
        CHECK(!strstr(src, "style="));
        CHECK(!strstr(src, "<style"));
        CHECK(!strstr(src, "javascript:"));
        if (inline_script || handler || strstr(src, "style=") || strstr(src, "<style"))
            fprintf(stderr, "  %s: inline script, style or handler (CSP forbids them)\n", f->name);
        free(src);
        free(err);
        json_decref(ctx);
        buf_free(&b);
    }
    CHECK(n >= 1);
    /* The shell and the assets load nothing from outside. */
    const char *own[] = {"web/templates/layout.html", "web/static/app.css", "web/static/app.js"};
    for (size_t i = 0; i < ARRAY_LEN(own); i++) {
        const EmbeddedFile *f = embed_find(own[i]);
        CHECK(f != NULL);
        if (!f) continue;
        char *src = xstrndup((const char *)f->data, f->len);
        CHECK(!strstr(src, "http://") && !strstr(src, "https://") && !strstr(src, "@import") &&
              !strstr(src, "url("));
        free(src);
    }
}

/* ---------------------------------------------------------------- threads and speed */

static char *expected_layout;

static void *thread_main(void *arg) {
    (void)arg;
    long bad = 0;
    json_t *ctx = layout_ctx();
    for (int i = 0; i < 200; i++) {
        Buf b;
        buf_init(&b);
        char *err = NULL;
        if (tmpl_render(&b, "layout", ctx, &err) != 0 || strcmp(b.data, expected_layout) != 0)
            bad++;
        free(err);
        buf_free(&b);
    }
    json_decref(ctx);
    return (void *)bad;
}

static void test_threads(void) {
    unsetenv("SPOTCHECK_TEMPLATES");
    json_t *ctx = layout_ctx();
    Buf b;
    buf_init(&b);
    CHECK_INT(tmpl_render(&b, "layout", ctx, NULL), 0);
    expected_layout = buf_steal(&b);
    json_decref(ctx);
    pthread_t th[8];
    for (int i = 0; i < 8; i++)
        CHECK_INT(pthread_create(&th[i], NULL, thread_main, NULL), 0);
    long bad = 0;
    for (int i = 0; i < 8; i++) {
        void *r;
        pthread_join(th[i], &r);
        bad += (long)r;
    }
    CHECK_INT(bad, 0);
    free(expected_layout);
}

static double now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void test_speed(void) {
    const char *text =
        "<div class=\"table-wrap\"><table class=\"table\"><thead><tr>{{#headers}}<th>{{.}}</th>"
        "{{/headers}}</tr></thead>\n<tbody>\n{{#rows}}\n<tr><td class=\"num\">{{@number}}</td>"
        "<td><a href=\"/d/targets/{{id}}\">{{name}}</a></td><td>{{code}}</td><td>{{region}}</td>"
        "<td><span class=\"badge\" data-grade=\"{{grade}}\">{{grade}}</span></td><td><span "
        "class=\"badge badge-{{status}}\">{{status}}</span></td><td>{{updated}}</td></tr>\n"
        "{{/rows}}\n{{^rows}}<tr><td class=\"empty\">无</td></tr>{{/rows}}</tbody></table></div>\n";
    json_t *rows = json_array();
    for (int i = 0; i < 50; i++)
        json_array_append_new(rows,
                              json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:s}", "id", 1000 + i,
                                        "name", "某某市第一人民医院<分院>", "code", "H44010600123",
                                        "region", "广东省广州市天河区", "grade", "B", "status",
                                        "启用", "updated", "2026-11-23 10:00"));
    json_t *ctx = json_pack("{s:[s,s,s,s,s,s,s], s:o}", "headers", "序号", "名称", "编码", "地区",
                            "等级", "状态", "更新时间", "rows", rows);
    Buf b;
    buf_init(&b);
    int runs = 2000;
    double t0 = now_us();
    for (int i = 0; i < runs; i++) {
        buf_reset(&b);
        if (tmpl_render_string(&b, text, strlen(text), ctx, NULL) != 0) break;
    }
    double per = (now_us() - t0) / runs;
    printf("     50-row table (parse + render): %.1f us, %zu bytes\n", per, b.len);
    CHECK(per < 5000.0); /* a sanity bound (sanitizer build, the suite's other tests beside it) */
    CHECK(contains(b.data, "<td class=\"num\">50</td>"));
    CHECK(contains(b.data, "某某市第一人民医院&lt;分院&gt;"));
    json_decref(ctx);
    buf_free(&b);
}

int main(void) {
    RUN(test_escape);
    RUN(test_values);
    RUN(test_timestamps);
    RUN(test_dotted);
    RUN(test_escaping_output);
    RUN(test_raw);
    RUN(test_sections);
    RUN(test_context_stack);
    RUN(test_index);
    RUN(test_comments_standalone);
    RUN(test_errors);
    RUN(test_utf8);
    RUN(test_partials);
    RUN(test_layout);
    RUN(test_all_templates);
    RUN(test_threads);
    RUN(test_speed);
    return T_DONE();
}
