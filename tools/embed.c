/* embed.c - build-time tool: writes a C file holding the given files as byte arrays, sorted by
 * name, for src/core/embed.h. Usage: embed OUT.c FILE...  (names are kept as given). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* FNV-1a 64-bit: good enough for cache validation, no crypto needed at build time */
static unsigned long long fnv(const unsigned char *p, size_t n) {
    unsigned long long h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 1099511628211ULL;
    return h;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: embed OUT.c FILE...\n");
        return 2;
    }
    FILE *out = fopen(argv[1], "w");
    if (!out) return 1;
    int n = argc - 2;
    char **names = argv + 2;
    qsort(names, (size_t)n, sizeof *names, cmp);
    fprintf(out, "#include \"../../src/core/embed.h\"\n#include <string.h>\n");
    unsigned long long *tags = calloc((size_t)n + 1, sizeof *tags);
    size_t *lens = calloc((size_t)n + 1, sizeof *lens);
    for (int i = 0; i < n; i++) {
        FILE *f = fopen(names[i], "rb");
        if (!f) {
            fprintf(stderr, "embed: cannot open %s\n", names[i]);
            return 1;
        }
        fseek(f, 0, SEEK_END);
        long len = ftell(f);
        fseek(f, 0, SEEK_SET);
        unsigned char *buf = malloc((size_t)len + 1);
        if (fread(buf, 1, (size_t)len, f) != (size_t)len) return 1;
        fclose(f);
        fprintf(out, "static const unsigned char f%d[] = {", i);
        for (long j = 0; j < len; j++)
            fprintf(out, "%s%u,", j % 24 ? "" : "\n", buf[j]);
        fprintf(out, "0};\n");
        tags[i] = fnv(buf, (size_t)len);
        lens[i] = (size_t)len;
        free(buf);
    }
    fprintf(out, "const EmbeddedFile embedded_files[] = {\n");
    for (int i = 0; i < n; i++)
        fprintf(out, "{\"%s\", f%d, %zu, \"%016llx\"},\n", names[i], i, lens[i], tags[i]);
    fprintf(out, "{0,0,0,0}};\nconst size_t embedded_count = %d;\n", n);
    fprintf(out, "const EmbeddedFile *embed_find(const char *name) {\n"
                 "    size_t lo = 0, hi = embedded_count;\n"
                 "    while (lo < hi) {\n"
                 "        size_t mid = (lo + hi) / 2;\n"
                 "        int c = strcmp(name, embedded_files[mid].name);\n"
                 "        if (c == 0) return &embedded_files[mid];\n"
                 "        if (c < 0) hi = mid; else lo = mid + 1;\n"
                 "    }\n"
                 "    return 0;\n}\n");
    return fclose(out) != 0;
}
