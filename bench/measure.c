// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include "measure.h"

double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double quantile(double *v, int n, double q)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[(int)(q * (n - 1) + 0.5)];
}

double socket_churn(int loops)
{
	double t = now_ns();

	for (int i = 0; i < loops; i++) {
		int fd = socket(AF_UNIX, SOCK_DGRAM, 0);

		if (fd < 0)
			return -1;
		close(fd);
	}
	return (now_ns() - t) / loops;
}
