/*
 * Preloaded into CRIU (LD_PRELOAD) by the test bed's SnapStart emulation: answers 0 for SO_PASSCRED and
 * SO_PASSSEC on sockets whose kernel refuses those two options.
 *
 * Why: from Linux 6.16 the kernel refuses SO_PASSCRED/SO_PASSSEC on sockets that are not unix sockets
 * (EOPNOTSUPP), while CRIU 4.1 reads them from every socket it dumps and sets them on every socket it
 * restores, so any JVM holding a TCP socket fails its dump with "Can't get 1:16 opt: Operation not
 * supported" (CRIU issues 2705 and 2718). On a TCP socket the options never had a meaning, so "off" is the
 * true answer. Nothing else is touched: every other call goes to the C library unchanged.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#ifndef SO_PASSSEC
#define SO_PASSSEC 34
#endif

typedef int (*getsockopt_fn)(int, int, int, void *, socklen_t *);
typedef int (*setsockopt_fn)(int, int, int, const void *, socklen_t);

static int refused_option(int level, int name) {
    return level == SOL_SOCKET && (name == SO_PASSCRED || name == SO_PASSSEC);
}

int getsockopt(int fd, int level, int name, void *value, socklen_t *length) {
    static getsockopt_fn real;
    if (!real) {
        real = (getsockopt_fn) dlsym(RTLD_NEXT, "getsockopt");
    }
    int rc = real(fd, level, name, value, length);
    if (rc != 0 && errno == EOPNOTSUPP && refused_option(level, name) && value != NULL && length != NULL
            && *length >= sizeof(int)) {
        memset(value, 0, sizeof(int));
        *length = sizeof(int);
        errno = 0;
        return 0;
    }
    return rc;
}

int setsockopt(int fd, int level, int name, const void *value, socklen_t length) {
    static setsockopt_fn real;
    if (!real) {
        real = (setsockopt_fn) dlsym(RTLD_NEXT, "setsockopt");
    }
    int rc = real(fd, level, name, value, length);
    if (rc != 0 && errno == EOPNOTSUPP && refused_option(level, name) && value != NULL && length >= sizeof(int)
            && *(const int *) value == 0) {
        errno = 0; /* turning off what the socket cannot have on */
        return 0;
    }
    return rc;
}
