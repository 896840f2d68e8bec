/* gen_jsonread.c: a small JSON reader (RFC 8259) for `synack-gen merge`, which reads back the
 * reports synack-gen wrote. Recursive descent into a tree of gen_jval, depth bounded so that a
 * hostile file cannot exhaust the stack; integers are also kept exactly (counts pass 2^53). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen_report_util.h"

#define MAX_DEPTH 64

struct jp {
	const char *s, *p;
	char *err;
	size_t errlen;
	int depth;
};

static void *fail(struct jp *j, const char *what)
{
	if (!*j->err)
		snprintf(j->err, j->errlen, "%s at byte %zu", what, (size_t)(j->p - j->s));
	return NULL;
}

static void ws(struct jp *j)
{
	while (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')
		j->p++;
}

void gen_jfree(struct gen_jval *v)
{
	while (v) {
		struct gen_jval *next = v->next;
		gen_jfree(v->kid);
		free(v->str);
		free(v->key);
		free(v);
		v = next;
	}
}

static char *parse_string(struct jp *j)
{
	if (*j->p != '"')
		return fail(j, "a string was expected");
	j->p++;
	size_t cap = 32, n = 0;
	char *out = malloc(cap);
	if (!out)
		return fail(j, "out of memory");
	for (;;) {
		unsigned char c = (unsigned char)*j->p;
		if (!c || c < 0x20) {
			free(out);
			return fail(j, "an unterminated string");
		}
		j->p++;
		if (c == '"')
			break;
		if (c == '\\') {
			char e = *j->p++;
			switch (e) {
			case '"': case '\\': case '/': break;
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'u': {
				unsigned cp = 0;
				for (int i = 0; i < 4; i++, j->p++) {
					if (!isxdigit((unsigned char)*j->p)) {
						free(out);
						return fail(j, "a bad \\u escape");
					}
					cp = cp * 16 + (unsigned)(isdigit((unsigned char)*j->p) ? *j->p - '0'
										   : (tolower((unsigned char)*j->p) - 'a' + 10));
				}
				/* Our reports escape only control characters; anything wider becomes '?'. */
				c = cp < 0x80 ? (unsigned char)cp : '?';
				break;
			}
			default:
				free(out);
				return fail(j, "a bad escape");
			}
			if (e != 'u' && e != 'n' && e != 't' && e != 'r' && e != 'b' && e != 'f')
				c = (unsigned char)e;
		}
		if (n + 2 > cap) {
			char *m = realloc(out, cap *= 2);
			if (!m) {
				free(out);
				return fail(j, "out of memory");
			}
			out = m;
		}
		out[n++] = (char)c;
	}
	out[n] = 0;
	return out;
}

static struct gen_jval *parse_value(struct jp *j);

static struct gen_jval *parse_container(struct jp *j, struct gen_jval *v, bool obj)
{
	char close = obj ? '}' : ']';
	j->p++;
	ws(j);
	if (*j->p == close) {
		j->p++;
		return v;
	}
	struct gen_jval **tail = &v->kid;
	for (;;) {
		char *key = NULL;
		ws(j);
		if (obj) {
			if (!(key = parse_string(j)))
				return NULL;
			ws(j);
			if (*j->p != ':') {
				free(key);
				return fail(j, "':' was expected");
			}
			j->p++;
		}
		struct gen_jval *kid = parse_value(j);
		if (!kid) {
			free(key);
			return NULL;
		}
		kid->key = key;
		*tail = kid;
		tail = &kid->next;
		ws(j);
		if (*j->p == ',') {
			j->p++;
			continue;
		}
		if (*j->p == close) {
			j->p++;
			return v;
		}
		return fail(j, obj ? "',' or '}' was expected" : "',' or ']' was expected");
	}
}

static struct gen_jval *parse_value(struct jp *j)
{
	ws(j);
	if (++j->depth > MAX_DEPTH)
		return fail(j, "nesting too deep");
	struct gen_jval *v = calloc(1, sizeof(*v));
	if (!v)
		return fail(j, "out of memory");
	struct gen_jval *ok = v;
	char c = *j->p;
	if (c == '{' || c == '[') {
		v->type = c == '{' ? GEN_J_OBJ : GEN_J_ARR;
		ok = parse_container(j, v, c == '{');
	} else if (c == '"') {
		v->type = GEN_J_STR;
		if (!(v->str = parse_string(j)))
			ok = NULL;
	} else if (!strncmp(j->p, "null", 4)) {
		j->p += 4;
	} else if (!strncmp(j->p, "true", 4) || !strncmp(j->p, "false", 5)) {
		v->type = GEN_J_BOOL;
		v->num = c == 't';
		j->p += c == 't' ? 4 : 5;
	} else if (c == '-' || isdigit((unsigned char)c)) {
		char *end;
		v->type = GEN_J_NUM;
		v->num = strtod(j->p, &end);
		if (c != '-' && strspn(j->p, "0123456789") == (size_t)(end - j->p))
			v->u = strtoull(j->p, NULL, 10);
		else
			v->u = v->num > 0 ? (uint64_t)v->num : 0;
		if (end == j->p)
			ok = fail(j, "a bad number");
		j->p = end;
	} else {
		ok = fail(j, c ? "a value was expected" : "the text ends early");
	}
	j->depth--;
	if (!ok) {
		gen_jfree(v);
		return NULL;
	}
	return v;
}

struct gen_jval *gen_jparse(const char *text, char *err, size_t errlen)
{
	struct jp j = { .s = text, .p = text, .err = err, .errlen = errlen };
	err[0] = 0;
	struct gen_jval *v = parse_value(&j);
	if (!v)
		return NULL;
	ws(&j);
	if (*j.p) {
		fail(&j, "text after the value");
		gen_jfree(v);
		return NULL;
	}
	return v;
}

const struct gen_jval *gen_jget(const struct gen_jval *v, const char *key)
{
	if (!v || v->type != GEN_J_OBJ)
		return NULL;
	for (const struct gen_jval *k = v->kid; k; k = k->next)
		if (k->key && !strcmp(k->key, key))
			return k;
	return NULL;
}

uint64_t gen_jint(const struct gen_jval *v, const char *key)
{
	const struct gen_jval *k = gen_jget(v, key);
	return k && k->type == GEN_J_NUM ? k->u : 0;
}

double gen_jnum(const struct gen_jval *v, const char *key)
{
	const struct gen_jval *k = gen_jget(v, key);
	return k && k->type == GEN_J_NUM ? k->num : 0;
}
