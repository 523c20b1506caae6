/*
 * lzfbench: compression and decompression speed of C liblzf on files, for
 * bench/lzf.sh, which runs the Go benchmarks of internal/lzf on the same
 * files and prints both side by side.
 *
 *   lzfbench RUNS SECONDS NAME:BLOCK:FILE...
 *
 * Each file is compressed in independent blocks of BLOCK bytes (the last one
 * may be shorter), with an output buffer of BLOCK + BLOCK/32 + 16 bytes, so
 * that every block compresses (liblzf needs a few bytes to spare). One
 * measurement times as many passes over the whole file as fit in SECONDS,
 * by the wall clock and by the CPU time of the thread (which, unlike the
 * wall clock, does not count time in which other processes held the CPU).
 * Of RUNS measurements the best is printed, in MB/s of uncompressed data
 * (1 MB = 10^6 bytes, as Go reports), one line per file:
 *
 *   NAME SIZE COMPRESSED COMPRESS_WALL COMPRESS_CPU DECOMPRESS_WALL DECOMPRESS_CPU
 *
 * The decompressed output is checked against the input.
 *
 * Build: cc -O2 -o lzfbench lzfbench.c -llzf
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* liblzf's API (Debian installs lzf.h under /usr/include/liblzf). */
unsigned int lzf_compress(const void *const in_data, unsigned int in_len,
                          void *out_data, unsigned int out_len);
unsigned int lzf_decompress(const void *const in_data, unsigned int in_len,
                            void *out_data, unsigned int out_len);

static double now(clockid_t clock) {
    struct timespec ts;
    clock_gettime(clock, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct file {
    unsigned char *data, *comp, *out;
    size_t size, block, nblocks, csize;
    size_t *coff; /* start of each compressed block in comp; coff[nblocks] = csize */
};

static volatile unsigned long sink;

static void compress_all(struct file *f) {
    size_t o = 0;
    for (size_t i = 0; i < f->nblocks; i++) {
        size_t off = i * f->block;
        size_t n = f->size - off < f->block ? f->size - off : f->block;
        unsigned int c = lzf_compress(f->data + off, n, f->comp + o, n + n / 32 + 16);
        if (c == 0) {
            fprintf(stderr, "lzf_compress failed\n");
            exit(1);
        }
        f->coff[i] = o;
        o += c;
    }
    f->coff[f->nblocks] = o;
    f->csize = o;
}

static void decompress_all(struct file *f) {
    for (size_t i = 0; i < f->nblocks; i++) {
        size_t off = i * f->block;
        size_t n = f->size - off < f->block ? f->size - off : f->block;
        unsigned int d = lzf_decompress(f->comp + f->coff[i], f->coff[i + 1] - f->coff[i], f->out + off, n);
        if (d != n) {
            fprintf(stderr, "lzf_decompress failed (errno %d)\n", errno);
            exit(1);
        }
    }
    sink += f->out[0];
}

/* measure times fn over runs measurements of about secs seconds each and
 * returns the best MB/s by wall time and by the thread's CPU time. */
static void measure(struct file *f, void (*fn)(struct file *), int runs, double secs, double *wall, double *cpu) {
    /* Calibrate: passes per measurement. */
    long passes = 1;
    for (;;) {
        double t0 = now(CLOCK_MONOTONIC);
        for (long i = 0; i < passes; i++)
            fn(f);
        if (now(CLOCK_MONOTONIC) - t0 >= secs / 8)
            break;
        passes *= 2;
    }
    *wall = *cpu = 0;
    for (int r = 0; r < runs; r++) {
        long n = 0;
        double t0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_THREAD_CPUTIME_ID), dt;
        do {
            for (long i = 0; i < passes; i++)
                fn(f);
            n += passes;
            dt = now(CLOCK_MONOTONIC) - t0;
        } while (dt < secs);
        double dc = now(CLOCK_THREAD_CPUTIME_ID) - c0;
        double w = (double)f->size * n / dt / 1e6, c = (double)f->size * n / dc / 1e6;
        if (w > *wall)
            *wall = w;
        if (c > *cpu)
            *cpu = c;
    }
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s RUNS SECONDS NAME:BLOCK:FILE...\n", argv[0]);
        return 2;
    }
    int runs = atoi(argv[1]);
    double secs = atof(argv[2]);
    if (runs < 1 || secs <= 0) {
        fprintf(stderr, "bad RUNS or SECONDS\n");
        return 2;
    }
    for (int a = 3; a < argc; a++) {
        char *name = argv[a], *p = strchr(name, ':'), *path;
        if (!p) {
            fprintf(stderr, "bad argument %s\n", name);
            return 2;
        }
        *p++ = 0;
        struct file f = {0};
        f.block = strtoul(p, &path, 10);
        if (*path != ':' || f.block == 0) {
            fprintf(stderr, "bad block size in %s\n", argv[a]);
            return 2;
        }
        path++;
        FILE *fp = fopen(path, "rb");
        if (!fp) {
            perror(path);
            return 1;
        }
        fseek(fp, 0, SEEK_END);
        f.size = ftell(fp);
        fseek(fp, 0, SEEK_SET);
        f.data = malloc(f.size + 1);
        if (fread(f.data, 1, f.size, fp) != f.size) {
            perror(path);
            return 1;
        }
        fclose(fp);
        f.nblocks = (f.size + f.block - 1) / f.block;
        f.comp = malloc(f.size + f.size / 32 + 16 * f.nblocks + 64);
        f.out = malloc(f.size + 1);
        f.coff = calloc(f.nblocks + 1, sizeof *f.coff);

        double cwall, ccpu, dwall, dcpu;
        measure(&f, compress_all, runs, secs, &cwall, &ccpu);
        measure(&f, decompress_all, runs, secs, &dwall, &dcpu);
        if (memcmp(f.out, f.data, f.size) != 0) {
            fprintf(stderr, "%s: round trip mismatch\n", name);
            return 1;
        }
        printf("%s %zu %zu %.1f %.1f %.1f %.1f\n", name, f.size, f.csize, cwall, ccpu, dwall, dcpu);
        fflush(stdout);
        free(f.data);
        free(f.comp);
        free(f.out);
        free(f.coff);
    }
    return 0;
}
