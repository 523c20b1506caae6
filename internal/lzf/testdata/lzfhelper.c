/*
 * lzfhelper runs C liblzf for the tests in interop_test.go, which compile it
 * with "cc -O2 -o lzfhelper lzfhelper.c -llzf" and talk to it over stdin
 * and stdout until stdin closes.
 *
 * Request:  op (1 byte: 'c' = lzf_compress, 'd' = lzf_decompress),
 *           out_len (4 bytes, little endian), in_len (4 bytes), input
 * Response: result (4 bytes: the function's return value), status (1 byte:
 *           0 ok, 1 E2BIG, 2 EINVAL, 3 other errno), the first result
 *           bytes of the output buffer
 *
 * lzf_decompress is given at least one byte of input: with none, liblzf
 * reads before checking.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* liblzf's API (Debian installs lzf.h under /usr/include/liblzf). */
unsigned int lzf_compress(const void *const in_data, unsigned int in_len,
                          void *out_data, unsigned int out_len);
unsigned int lzf_decompress(const void *const in_data, unsigned int in_len,
                            void *out_data, unsigned int out_len);

static unsigned int get32(const unsigned char *p) {
    return p[0] | p[1] << 8 | p[2] << 16 | (unsigned int)p[3] << 24;
}

static void put32(unsigned char *p, unsigned int v) {
    p[0] = v;
    p[1] = v >> 8;
    p[2] = v >> 16;
    p[3] = v >> 24;
}

int main(void) {
    unsigned char hdr[9];
    while (fread(hdr, 1, 9, stdin) == 9) {
        unsigned int out_len = get32(hdr + 1), in_len = get32(hdr + 5);
        /* +1: malloc(0) may return NULL. */
        unsigned char *in = malloc(in_len + 1), *out = malloc(out_len + 1);
        if (!in || !out) {
            fprintf(stderr, "lzfhelper: out of memory\n");
            return 1;
        }
        if (fread(in, 1, in_len, stdin) != in_len) {
            fprintf(stderr, "lzfhelper: short request\n");
            return 1;
        }
        unsigned int n;
        errno = 0;
        if (hdr[0] == 'c') {
            n = lzf_compress(in, in_len, out, out_len);
        } else if (hdr[0] == 'd' && in_len > 0) {
            n = lzf_decompress(in, in_len, out, out_len);
        } else {
            fprintf(stderr, "lzfhelper: bad request\n");
            return 1;
        }
        unsigned char resp[5];
        put32(resp, n);
        resp[4] = n != 0 || hdr[0] == 'c' ? 0 : errno == E2BIG ? 1 : errno == EINVAL ? 2 : 3;
        if (fwrite(resp, 1, 5, stdout) != 5 || fwrite(out, 1, n, stdout) != n) {
            fprintf(stderr, "lzfhelper: write failed\n");
            return 1;
        }
        fflush(stdout);
        free(in);
        free(out);
    }
    return 0;
}
