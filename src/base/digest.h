/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A 64-bit hash of what a collection read, fed record by record, to tell
 * whether the kernel's objects are those of the last collection without
 * keeping the last collection's records. Not cryptographic: two different
 * readings share a hash with odds of about 2^-64. Four lanes, so that the
 * multiplications of one record run side by side.
 */
#ifndef BPFMEM_DIGEST_H
#define BPFMEM_DIGEST_H

#include <stdint.h>
#include <string.h>

#define DIGEST_SEED 0x9e3779b97f4a7c15ULL

static inline uint64_t digest_mix(uint64_t h, uint64_t w)
{
	h = (h ^ w) * 0xff51afd7ed558ccdULL;
	return h ^ (h >> 32);
}

/* h with n bytes at p folded in; the same bytes give the same result
 * whatever came before only if what came before was the same. */
static inline uint64_t digest_add(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t lane[4] = { h, h + 1, h + 2, h + 3 }, w;

	for (; n >= 32; n -= 32, b += 32)
		for (int i = 0; i < 4; i++) {
			memcpy(&w, b + 8 * i, 8);
			lane[i] = digest_mix(lane[i], w);
		}
	for (; n >= 8; n -= 8, b += 8) {
		memcpy(&w, b, 8);
		lane[0] = digest_mix(lane[0], w);
	}
	if (n) {
		w = 0;
		memcpy(&w, b, n);
		lane[0] = digest_mix(lane[0], w | (uint64_t)n << 56);
	}
	h = digest_mix(lane[0], lane[1]);
	h = digest_mix(h, lane[2]);
	return digest_mix(h, lane[3]);
}

static inline uint64_t digest_u64(uint64_t h, uint64_t v)
{
	return digest_mix(h, v);
}

static inline uint64_t digest_str(uint64_t h, const char *s)
{
	return s ? digest_add(digest_mix(h, strlen(s)), s, strlen(s)) :
		   digest_mix(h, UINT64_MAX);
}

#endif
