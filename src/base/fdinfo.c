// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "base/fdinfo.h"

static int open_fdinfo(int fd)
{
	char path[64];
	int info;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	info = open(path, O_RDONLY | O_CLOEXEC);
	return info < 0 ? -errno : info;
}

/* The whole of an fdinfo file from its start (pread: the slot's file is
 * read again and again). */
static int read_all_of(int info, char *buf, size_t size)
{
	ssize_t n, total = 0;

	while ((size_t)total + 1 < size) {
		n = pread(info, buf + total, size - 1 - total, total);
		if (n < 0)
			return -errno;
		total += n;
		/* fdinfo is one seq_file record: a read that does not fill
		 * the buffer has returned all of it, and saves the read that
		 * would only see the end of the file. */
		if ((size_t)n < size - 1 - (total - n))
			break;
	}
	buf[total] = '\0';
	return total;
}

int fdinfo_read(int fd, char *buf, size_t size)
{
	int info = open_fdinfo(fd), n;

	if (info < 0)
		return info;
	n = read_all_of(info, buf, size);
	close(info);
	return n;
}

int fdinfo_slot_open(struct fdinfo_slot *s)
{
	/* any descriptor holds the number until the first object */
	s->slot = open("/", O_PATH | O_CLOEXEC);
	if (s->slot < 0)
		return -errno;
	s->info = open_fdinfo(s->slot);
	if (s->info < 0) {
		close(s->slot);
		return s->info;
	}
	return 0;
}

int fdinfo_slot_read(struct fdinfo_slot *s, int fd, char *buf, size_t size)
{
	int err;

	if (!s) {
		err = fdinfo_read(fd, buf, size);
		close(fd);
		return err;
	}
	err = dup3(fd, s->slot, O_CLOEXEC) < 0 ? -errno : 0;
	close(fd);
	return err ? err : read_all_of(s->info, buf, size);
}

void fdinfo_slot_close(struct fdinfo_slot *s)
{
	close(s->info);
	close(s->slot);
}

int fdinfo_parse_u64(const char *text, const char *key, __u64 *out)
{
	size_t klen = strlen(key);
	const char *line = text;

	while (line && *line) {
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			const char *p = line + klen + 1;
			char *end;
			unsigned long long v;

			while (*p == ' ' || *p == '\t')
				p++;
			if (*p < '0' || *p > '9')
				return -EINVAL;
			errno = 0;
			v = strtoull(p, &end, 10);
			if (errno || (*end && *end != '\n'))
				return -EINVAL;
			*out = v;
			return 0;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return -ENOENT;
}

char *read_text_file(const char *path)
{
	size_t cap = 16384, len = 0;
	char *buf = malloc(cap);
	ssize_t n;
	int fd;

	if (!buf)
		return NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		free(buf);
		return NULL;
	}
	while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += n;
		if (len + 1 == cap) {
			char *bigger = realloc(buf, cap * 2);

			if (!bigger) {
				free(buf);
				close(fd);
				return NULL;
			}
			buf = bigger;
			cap *= 2;
		}
	}
	close(fd);
	buf[len] = '\0';
	return buf;
}
