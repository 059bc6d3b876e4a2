// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "daemon/history.h"

int history_init(struct history *h, size_t samples)
{
	*h = (struct history){};
	h->times = calloc(samples, sizeof(*h->times));
	if (!h->times)
		return -ENOMEM;
	h->cap = samples;
	return 0;
}

int history_resize(struct history *h, size_t samples)
{
	__u64 *times = calloc(samples, sizeof(*times));
	__u64 first = h->first_seq;

	if (!times)
		return -ENOMEM;
	if (h->next_seq - first > samples)
		first = h->next_seq - samples;
	for (__u64 s = first; s < h->next_seq; s++)
		times[s % samples] = h->times[s % h->cap];
	free(h->times);
	h->times = times;
	h->cap = samples;
	h->first_seq = first;
	return 0;
}

static void free_series(struct hist_series *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(s[i].pts);
	free(s);
}

void history_free(struct history *h)
{
	for (int k = 0; k < NR_HIST_KINDS; k++)
		free_series(h->series[k], h->nr_series[k]);
	free(h->times);
	*h = (struct history){};
}

int history_begin(struct history *h, __u64 time_ms)
{
	if (h->next_seq - h->first_seq == h->cap)
		h->first_seq++;
	h->times[h->next_seq % h->cap] = time_ms;
	h->next_seq++;
	return 0;
}

/* Room for one more point, so that appending cannot fail. */
static int reserve(struct hist_series *s)
{
	struct hist_point *p;
	size_t cap;

	if (s->n < s->cap)
		return 0;
	cap = s->cap ? 2 * s->cap : 2;
	p = realloc(s->pts, cap * sizeof(*p));
	if (!p)
		return -ENOMEM;
	s->pts = p;
	s->cap = cap;
	return 0;
}

static void append(struct hist_series *s, __u64 seq, const __u64 *v)
{
	struct hist_point *p = &s->pts[s->n++];

	p->seq = seq;
	p->gone = !v;
	if (v)
		memcpy(p->v, v, sizeof(p->v));
	else
		memset(p->v, 0, sizeof(p->v));
}

/* Points whose figures stopped holding before the oldest sample go; a
 * series that ended before it goes whole (false). */
static bool prune(struct hist_series *s, __u64 first_seq)
{
	size_t drop = 0;

	while (drop + 1 < s->n && s->pts[drop + 1].seq <= first_seq)
		drop++;
	if (drop) {
		memmove(s->pts, s->pts + drop, (s->n - drop) * sizeof(*s->pts));
		s->n -= drop;
	}
	return !(s->n == 1 && s->pts[0].gone && s->pts[0].seq <= first_seq);
}

static bool same(const struct hist_point *p, const struct hist_value *v)
{
	return !p->gone && !memcmp(p->v, v->v, sizeof(p->v));
}

/* Merges the series (ascending id) with vals (ascending id). With
 * alloc, only makes room, so that the pass without it cannot fail. */
static int merge(struct hist_series *old, size_t nold,
		 const struct hist_value *vals, size_t n,
		 struct hist_series *out, __u64 seq, bool alloc)
{
	size_t i = 0, j = 0, k = 0;

	while (i < nold || j < n) {
		struct hist_series *s = &out[k];

		if (j == n || (i < nold && old[i].id < vals[j].id)) {
			s = &old[i++];
			if (alloc && reserve(s))
				return -ENOMEM;
			if (!alloc && !s->pts[s->n - 1].gone)
				append(s, seq, NULL);
		} else if (i == nold || vals[j].id < old[i].id) {
			if (alloc && reserve(s))
				return -ENOMEM;
			s->id = vals[j].id;
			if (!alloc)
				append(s, seq, vals[j].v);
			j++;
		} else {
			s = &old[i++];
			if (alloc && reserve(s))
				return -ENOMEM;
			if (!alloc && !same(&s->pts[s->n - 1], &vals[j]))
				append(s, seq, vals[j].v);
			j++;
		}
		if (!alloc)
			out[k] = *s;
		k++;
	}
	return k;
}

int history_put(struct history *h, enum hist_kind kind,
		const struct hist_value *vals, size_t n)
{
	struct hist_series *old = h->series[kind], *out;
	size_t nold = h->nr_series[kind], nout, kept = 0;
	int ret;

	out = calloc(nold + n ? nold + n : 1, sizeof(*out));
	if (!out)
		return -ENOMEM;
	ret = merge(old, nold, vals, n, out, h->next_seq - 1, true);
	if (ret < 0) {
		/* only new series own their points yet */
		for (size_t i = 0; i < nold + n; i++)
			if (out[i].cap)
				free(out[i].pts);
		free(out);
		return ret;
	}
	nout = merge(old, nold, vals, n, out, h->next_seq - 1, false);
	for (size_t i = 0; i < nout; i++) {
		if (prune(&out[i], h->first_seq))
			out[kept++] = out[i];
		else
			free(out[i].pts);
	}
	free(old);
	h->series[kind] = out;
	h->nr_series[kind] = kept;
	return 0;
}

static struct hist_series *find_series(struct hist_series *s, size_t n,
				       __u64 id)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && s[lo].id == id ? &s[lo] : NULL;
}

int history_update(struct history *h, enum hist_kind kind,
		   const struct hist_value *vals, size_t n)
{
	struct hist_series **s = calloc(n ? n : 1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	/* room first, so that the appends cannot fail */
	for (size_t j = 0; j < n; j++) {
		s[j] = find_series(h->series[kind], h->nr_series[kind],
				   vals[j].id);
		if (!s[j] || reserve(s[j])) {
			int err = s[j] ? -ENOMEM : -ENOENT;

			free(s);
			return err;
		}
	}
	for (size_t j = 0; j < n; j++) {
		if (!same(&s[j]->pts[s[j]->n - 1], &vals[j]))
			append(s[j], h->next_seq - 1, vals[j].v);
		prune(s[j], h->first_seq);
	}
	free(s);
	return 0;
}

static const struct hist_series *find(const struct history *h,
				      enum hist_kind kind, __u64 id)
{
	return find_series(h->series[kind], h->nr_series[kind], id);
}

int history_walk(const struct history *h, enum hist_kind kind, __u64 id,
		 __u64 since_ms, hist_visit visit, void *ctx)
{
	const struct hist_series *s = find(h, kind, id);
	size_t p = 0;

	if (!s)
		return -ENOENT;
	for (__u64 seq = h->first_seq; seq < h->next_seq; seq++) {
		__u64 t = h->times[seq % h->cap];

		while (p + 1 < s->n && s->pts[p + 1].seq <= seq)
			p++;
		if (s->pts[p].seq > seq || s->pts[p].gone || t < since_ms)
			continue;
		visit(ctx, t, s->pts[p].v);
	}
	return 0;
}

int history_since(const struct history *h, enum hist_kind kind, __u64 id,
		  __u64 since_ms, __u64 *time_ms, __u64 v[HIST_VALUES])
{
	const struct hist_series *s = find(h, kind, id);
	__u64 lo = h->first_seq, hi = h->next_seq, seq;
	size_t q = 0, qhi;

	if (!s || !s->n)
		return -ENOENT;
	/* the first sample at since_ms or later */
	while (lo < hi) {
		__u64 mid = lo + (hi - lo) / 2;

		if (h->times[mid % h->cap] < since_ms)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == h->next_seq)
		return -ENOENT;
	/* the first point after it: the one before holds at lo */
	qhi = s->n;
	while (q < qhi) {
		size_t mid = q + (qhi - q) / 2;

		if (s->pts[mid].seq <= lo)
			q = mid + 1;
		else
			qhi = mid;
	}
	seq = lo;
	if (!q || s->pts[q - 1].gone) {
		/* the object came (back) after lo */
		if (q == s->n || s->pts[q].gone)
			return -ENOENT;
		seq = s->pts[q].seq;
	} else {
		q--;
	}
	*time_ms = h->times[seq % h->cap];
	memcpy(v, s->pts[q].v, sizeof(s->pts[q].v));
	return 0;
}
