/* replay.c - runs a fuzz target's LLVMFuzzerTestOneInput over saved inputs without libFuzzer,
 * so every `make test` replays the corpora under the sanitizers (the Makefile links each
 * tests/fuzz/fuzz_NAME.c with this file into BUILD/fuzz/fuzz_NAME-replay).
 *
 * Usage: fuzz_NAME-replay DIR_OR_FILE...   Files in a directory are run in name order (not
 * recursively); a named file is run as it is, which is how a crasher is reproduced. Prints
 * "RESULT <files> 0" at the end (tests/run.sh's tally); a crash or a failed ASSERT in the
 * target ends the run with a sanitizer report instead. Exits 1 when an argument cannot be read. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return -1;
    }
    size_t cap = 1 << 16, len = 0;
    uint8_t *buf = malloc(cap);
    size_t n;
    while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap) buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    if (!buf) return -1;
    /* Hand the target an exact-size copy so ASan sees reads past the end. */
    uint8_t *exact = malloc(len ? len : 1);
    if (!exact) return -1;
    memcpy(exact, buf, len);
    free(buf);
    LLVMFuzzerTestOneInput(exact, len);
    free(exact);
    return 0;
}

static int cmp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv) {
    int files = 0, bad = 0;
    if (argc < 2) {
        fprintf(stderr, "usage: %s DIR_OR_FILE...\n", argv[0]);
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            perror(argv[i]);
            bad = 1;
            continue;
        }
        if (!S_ISDIR(st.st_mode)) {
            if (run_file(argv[i]) == 0)
                files++;
            else
                bad = 1;
            continue;
        }
        DIR *d = opendir(argv[i]);
        if (!d) {
            perror(argv[i]);
            bad = 1;
            continue;
        }
        char **names = NULL;
        size_t nnames = 0;
        for (struct dirent *e; (e = readdir(d)) != NULL;) {
            if (e->d_name[0] == '.') continue;
            names = realloc(names, (nnames + 1) * sizeof *names);
            if (!names) return 1;
            size_t k = strlen(argv[i]) + strlen(e->d_name) + 2;
            names[nnames] = malloc(k);
            if (!names[nnames]) return 1;
            snprintf(names[nnames++], k, "%s/%s", argv[i], e->d_name);
        }
        closedir(d);
        if (nnames) qsort(names, nnames, sizeof *names, cmp);
        for (size_t j = 0; j < nnames; j++) {
            if (stat(names[j], &st) == 0 && S_ISREG(st.st_mode)) {
                if (run_file(names[j]) == 0)
                    files++;
                else
                    bad = 1;
            }
            free(names[j]);
        }
        free(names);
    }
    printf("RESULT %d 0\n", files);
    return bad;
}
