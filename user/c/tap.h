/* user/c/tap.h: TAP output for the C test programs (glibc and musl builds alike).
 * ok(cond, name) prints "ok N - name" or "not ok N - name"; done() prints the plan
 * "1..N" and returns the exit status (0 only if every check passed). Output goes
 * through write(2), unbuffered, so a crash still shows the checks before it, and
 * fork()ed children inherit no half-written stdio buffer. */
#ifndef LINNET_TAP_H
#define LINNET_TAP_H
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

static int tap_n, tap_failed;

static void tap_write(const char *s, size_t len)
{
    while (len > 0) {
        ssize_t w = write(1, s, len);
        if (w <= 0)
            return;
        s += w;
        len -= (size_t)w;
    }
}

static int ok(int cond, const char *fmt, ...)
{
    char line[512];
    int len = snprintf(line, sizeof line, "%sok %d - ", cond ? "" : "not ", ++tap_n);
    va_list ap;
    va_start(ap, fmt);
    len += vsnprintf(line + len, sizeof line - (size_t)len - 1, fmt, ap);
    va_end(ap);
    if (len > (int)sizeof line - 2)
        len = (int)sizeof line - 2;
    line[len++] = '\n';
    tap_write(line, (size_t)len);
    if (!cond)
        tap_failed++;
    return cond;
}

/* A "# ..." diagnostic line. */
__attribute__((unused)) static void note(const char *fmt, ...)
{
    char line[512] = "# ";
    va_list ap;
    va_start(ap, fmt);
    int len = 2 + vsnprintf(line + 2, sizeof line - 3, fmt, ap);
    va_end(ap);
    if (len > (int)sizeof line - 2)
        len = (int)sizeof line - 2;
    line[len++] = '\n';
    tap_write(line, (size_t)len);
}

/* Running on Linnet? ("linnet" in uname's release or version, as ulib's is_linnet.)
 * For the few checks where qemu-user 7.2, the differential oracle, differs from Linux. */
__attribute__((unused)) static int is_linnet(void)
{
    struct utsname u;
    return uname(&u) == 0 && (strstr(u.release, "linnet") || strstr(u.version, "linnet"));
}

static int done(void)
{
    char line[32];
    int len = snprintf(line, sizeof line, "1..%d\n", tap_n);
    tap_write(line, (size_t)len);
    return tap_failed != 0;
}
#endif
