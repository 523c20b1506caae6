/*
 * bench/slowsync.c: an LD_PRELOAD library that sleeps SLOWSYNC_NS
 * nanoseconds after each fdatasync and fsync, so that redis-server sees
 * a slower disk in bench/always.sh, as the example server does when
 * built with the aofrdb_slowsync tag.
 *
 *   cc -O2 -shared -fPIC -o slowsync.so bench/slowsync.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>

static void nap(void)
{
	const char *s = getenv("SLOWSYNC_NS");
	long ns = s ? atol(s) : 0;
	if (ns > 0) {
		struct timespec t = {ns / 1000000000L, ns % 1000000000L};
		nanosleep(&t, NULL);
	}
}

int fdatasync(int fd)
{
	static int (*real)(int);
	if (!real)
		real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
	int r = real(fd);
	nap();
	return r;
}

int fsync(int fd)
{
	static int (*real)(int);
	if (!real)
		real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
	int r = real(fd);
	nap();
	return r;
}
