/* c_stdio: stdio (printf, buffered FILE I/O, sscanf), malloc of large blocks,
 * opendir/readdir, and the environment. Built twice: glibc (c_stdio) and musl
 * (musl_stdio), both static. */
#include "../tap.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>

int main(void)
{
    char dir[64], path[128];
    snprintf(dir, sizeof dir, "/tmp/c_stdio.%d", (int)getpid());
    ok(mkdir(dir, 0755) == 0, "mkdir a scratch directory under /tmp");

    /* printf to stdout (a pipe or the console: full or line buffering), flushed. */
    int n = printf("# printf: %d %s %5.2f %x %c\n", 42, "str", 3.14159, 255, 'z');
    ok(n == 28, "printf returns the number of bytes (%d)", n);
    ok(fflush(stdout) == 0, "fflush(stdout)");

    /* A file written with fprintf/fputs/fwrite, read back with fgets/fscanf/fread. */
    snprintf(path, sizeof path, "%s/file.txt", dir);
    FILE *f = fopen(path, "w");
    ok(f != NULL, "fopen for writing");
    if (f) {
        fprintf(f, "line %d\n", 1);
        fputs("second line\n", f);
        for (int i = 0; i < 1000; i++)
            fprintf(f, "%04d\n", i);
        ok(fclose(f) == 0, "fclose flushes and closes");
    }
    f = fopen(path, "r");
    ok(f != NULL, "fopen for reading");
    if (f) {
        char buf[64];
        int v = 0;
        ok(fgets(buf, sizeof buf, f) && strcmp(buf, "line 1\n") == 0, "fgets reads the first line");
        ok(fgets(buf, sizeof buf, f) && strcmp(buf, "second line\n") == 0, "fgets reads the second line");
        int lines = 0, last = -1;
        while (fscanf(f, "%d", &v) == 1) {
            lines++;
            last = v;
        }
        ok(lines == 1000 && last == 999, "fscanf reads 1000 numbers (%d, last %d)", lines, last);
        ok(feof(f), "feof at the end");
        rewind(f);
        size_t got = fread(buf, 1, 4, f);
        ok(got == 4 && memcmp(buf, "line", 4) == 0, "rewind then fread");
        ok(fseek(f, -5, SEEK_END) == 0 && ftell(f) == 7 + 12 + 5000 - 5, "fseek from the end, ftell");
        fclose(f);
    }
    ok(fopen("/no/such/file", "r") == NULL && errno == ENOENT, "fopen of a missing file: ENOENT");
    char s[64];
    snprintf(s, sizeof s, "%s-%03d-%.3s", "ab", 7, "xyzw");
    ok(strcmp(s, "ab-007-xyz") == 0, "snprintf formats");
    int a = 0, b = 0;
    ok(sscanf("12 34", "%d %d", &a, &b) == 2 && a + b == 46, "sscanf");

    /* malloc: small, then large blocks (mmap-backed in both mallocs), realloc growth. */
    char *small = malloc(100);
    ok(small != NULL, "malloc(100)");
    size_t sizes[] = {1 << 20, 16 << 20, 64 << 20};
    for (int i = 0; i < 3; i++) {
        unsigned char *p = malloc(sizes[i]);
        int good = p != NULL;
        if (p) {
            for (size_t o = 0; o < sizes[i]; o += 4096)
                p[o] = (unsigned char)(o >> 12);
            for (size_t o = 0; o < sizes[i]; o += 4096)
                good &= p[o] == (unsigned char)(o >> 12);
        }
        ok(good, "malloc(%zu MiB), every page written and read back", sizes[i] >> 20);
        free(p);
    }
    char *r = NULL;
    int rgood = 1;
    for (size_t len = 16; len <= (8 << 20); len *= 2) {
        char *q = realloc(r, len);
        if (!q) {
            rgood = 0;
            break;
        }
        r = q;
        r[len - 1] = 'x';
        rgood &= r[len / 2 - 1] == 'x' || len == 16;
    }
    ok(rgood, "realloc doubling up to 8 MiB keeps the contents");
    free(r);
    void *c = calloc(1000, 1000);
    int zero = c != NULL;
    for (int i = 0; c && i < 1000000; i += 997)
        zero &= ((char *)c)[i] == 0;
    ok(zero, "calloc(1000, 1000) is zeroed");
    free(c);
    free(small);

    /* opendir/readdir. */
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/entry%d", dir, i);
        close(open(path, O_CREAT | O_WRONLY, 0644));
    }
    DIR *d = opendir(dir);
    ok(d != NULL, "opendir");
    int entries = 0, dots = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            dots++;
        else if (strncmp(e->d_name, "entry", 5) == 0 && e->d_type == DT_REG)
            entries++;
    }
    ok(entries == 3, "readdir sees 3 regular files (%d)", entries);
    ok(dots == 2, "readdir sees . and ..");
    if (d)
        ok(closedir(d) == 0, "closedir");
    ok(opendir("/no/such/dir") == NULL && errno == ENOENT, "opendir of a missing directory: ENOENT");

    /* The environment. */
    ok(setenv("LINNET_C_VAR", "value1", 1) == 0, "setenv");
    ok(getenv("LINNET_C_VAR") && strcmp(getenv("LINNET_C_VAR"), "value1") == 0, "getenv sees it");
    setenv("LINNET_C_VAR", "value2", 0);
    ok(strcmp(getenv("LINNET_C_VAR"), "value1") == 0, "setenv without overwrite keeps the value");
    ok(unsetenv("LINNET_C_VAR") == 0 && getenv("LINNET_C_VAR") == NULL, "unsetenv removes it");
    ok(putenv("LINNET_PUT=1") == 0 && getenv("LINNET_PUT") != NULL, "putenv");

    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/entry%d", dir, i);
        unlink(path);
    }
    snprintf(path, sizeof path, "%s/file.txt", dir);
    unlink(path);
    ok(rmdir(dir) == 0, "rmdir the scratch directory");
    return done();
}
