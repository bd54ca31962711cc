#include "memdb.h"

#include <errno.h>
#include <string.h>

static ssize_t mem_read(struct lines *l, char *dst, size_t n)
{
	struct memdb *m = l->ctx;
	size_t left = m->len - m->pos;

	if (m->chunk && n > m->chunk)
		n = m->chunk;
	if (n > left)
		n = left;
	memcpy(dst, m->data + m->pos, n);
	m->pos += n;
	return (ssize_t)n;
}

static bool mem_close(struct lines *l)
{
	struct memdb *m = l->ctx;

	if (!m->changes)
		return false;
	m->changes--;
	if (m->later) {
		m->data = m->later;
		m->len = strlen(m->later);
	}
	return true;
}

static size_t claimed_size(enum claim c, size_t len)
{
	switch (c) {
	case CLAIM_EXACT: return len;
	case CLAIM_ONE_BYTE: return 1;
	case CLAIM_TWICE: return 2 * len;
	case CLAIM_ONE_SHORT: return len ? len - 1 : 0;
	case CLAIM_NONE: break;
	}
	return 0;
}

static int mem_open(const struct dbfile *f, struct lines *l, const char **op)
{
	struct memdb *m = f->ctx;

	m->opened++;
	if (m->missing)
		return ENOENT;
	if (m->open_err) {
		*op = m->open_op ? m->open_op : "open";
		return m->open_err;
	}
	m->pos = 0;
	*l = (struct lines){.read = mem_read, .close = mem_close, .ctx = m, .size_hint = claimed_size(m->claim, m->len)};
	return 0;
}

struct dbfile memdb_file(const char *path, struct memdb *m)
{
	return (struct dbfile){.path = path, .open = mem_open, .ctx = m};
}
