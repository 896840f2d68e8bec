/* gen_profile.c: synack-gen --profile FILE: several weighted scripts, one INI section each, read
 * with DPDK's rte_cfgfile. A mistake names the file, the section and the key:
 *
 *   [script web]            ; a name of one's own
 *   weight = 3
 *   http = /index.html      ; or request_bytes / response_bytes, or script = the steps written out
 *   host = www.example
 *   header = Accept: text/plain   ; (header2 = ..., header3 = ...: one key per header)
 *   requests = 10
 *   close = client          ; client, server, rst
 *   think = 5               ; ms between requests
 *   timeout = 2000          ; ms for each answer
 */
#include <rte_cfgfile.h>
#include <rte_log.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen_opts.h"

static int perr(const char *path, const char *sec, const char *key, const char *val, const char *want)
{
	if (key)
		fprintf(stderr, "synack-gen: %s: [%s] %s = '%s': %s\n", path, sec, key, val ? val : "", want);
	else
		fprintf(stderr, "synack-gen: %s: [%s]: %s\n", path, sec, want);
	return 2;
}

static bool num(const char *s, uint64_t max, uint64_t *v)
{
	char *end;
	unsigned long long x = strtoull(s, &end, 10);
	if (end == s || *end || s[0] == '-' || x > max)
		return false;
	*v = x;
	return true;
}

/* Values are kept for the whole run (the script texts point into them). */
static char *keep(const char *s) { return strdup(s); }

int gen_read_profile(const char *path, struct gen_opts *o)
{
	/* '#' comments, as drivers-config's: ';' separates a script's steps (script = send 64; expect 64). */
	const struct rte_cfgfile_parameters params = { .comment_character = '#' };
	/* rte_cfgfile logs its own complaint first; the one line below says it all, so that goes
	 * nowhere (and the log stream back to its default after). */
	char *logbuf = NULL;
	size_t loglen = 0;
	FILE *quiet = open_memstream(&logbuf, &loglen);
	if (quiet)
		rte_openlog_stream(quiet);
	struct rte_cfgfile *f = rte_cfgfile_load_with_params(path, 0, &params);
	if (quiet) {
		rte_openlog_stream(NULL);
		fclose(quiet);
		free(logbuf);
	}
	if (!f) {
		fprintf(stderr, "synack-gen: %s: cannot read it as an INI file (missing, or a line that is not "
				"[section] or key = value, or longer than %d characters)\n", path,
			CFG_NAME_LEN + CFG_VALUE_LEN);
		return 2;
	}
	int nsec = rte_cfgfile_num_sections(f, NULL, 0);
	char **names = calloc(nsec > 0 ? (size_t)nsec : 1, sizeof(*names));
	for (int i = 0; i < nsec; i++)
		names[i] = calloc(1, CFG_NAME_LEN);
	rte_cfgfile_sections(f, names, nsec);
	int rc = 0;
	unsigned n = 0;
	struct gen_script_opts defaults = o->script[0];
	for (int i = 0; i < nsec && !rc; i++) {
		const char *sec = names[i];
		if (strncmp(sec, "script ", 7) || !sec[7]) {
			rc = perr(path, sec, NULL, NULL, "not a section this file may have: [script NAME]");
			break;
		}
		if (n >= SYNACK_LOAD_MAX_SCRIPTS) {
			rc = perr(path, sec, NULL, NULL, "one script too many: at most 8");
			break;
		}
		struct gen_script_opts *s = &o->script[n];
		*s = defaults;
		s->http_path = NULL;
		s->request_bytes = s->response_bytes = 0;
		s->text = NULL;
		snprintf(s->name, sizeof(s->name), "%s", sec + 7);
		int nent = rte_cfgfile_section_num_entries(f, sec);
		struct rte_cfgfile_entry *ent = calloc(nent > 0 ? (size_t)nent : 1, sizeof(*ent));
		rte_cfgfile_section_entries(f, sec, ent, nent);
		for (int k = 0; k < nent && !rc; k++) {
			const char *key = ent[k].name, *val = ent[k].value;
			uint64_t v;
			if (strlen(val) >= CFG_VALUE_LEN - 1) {
				/* rte_cfgfile keeps 255 characters of a value and drops the rest unsaid. */
				rc = perr(path, sec, key, "...", "longer than the INI reader keeps (254 characters)");
				break;
			}
			if (!strcmp(key, "weight")) {
				if (!num(val, 1000000, &v) || !v)
					rc = perr(path, sec, key, val, "expected 1..1000000");
				s->weight = (uint32_t)v;
			} else if (!strcmp(key, "http")) {
				if (val[0] != '/' || strpbrk(val, " ;"))
					rc = perr(path, sec, key, val, "expected a path starting with /");
				s->http_path = keep(val);
			} else if (!strcmp(key, "method")) {
				if (!*val || strpbrk(val, " ;"))
					rc = perr(path, sec, key, val, "expected an HTTP method");
				s->method = keep(val);
			} else if (!strcmp(key, "host")) {
				if (!*val || strpbrk(val, " ;"))
					rc = perr(path, sec, key, val, "expected a host name");
				s->host = keep(val);
			} else if (!strncmp(key, "header", 6)) {
				if (!strchr(val, ':') || strpbrk(val, "\";"))
					rc = perr(path, sec, key, val, "expected 'Name: value'");
				else if (s->nheaders >= GEN_MAX_HEADERS)
					rc = perr(path, sec, key, val, "one header too many (16 at most)");
				else
					s->headers[s->nheaders++] = keep(val);
			} else if (!strcmp(key, "requests")) {
				if (!num(val, 1000000, &v) || !v)
					rc = perr(path, sec, key, val, "expected 1..1000000");
				s->requests = (uint32_t)v;
			} else if (!strcmp(key, "request_bytes") || !strcmp(key, "response_bytes")) {
				if (!num(val, 1u << 30, &v))
					rc = perr(path, sec, key, val, "expected a byte count");
				*(key[2] == 'q' ? &s->request_bytes : &s->response_bytes) = (uint32_t)v;
			} else if (!strcmp(key, "close")) {
				if (!strcmp(val, "client"))
					s->close = GEN_CLOSE_CLIENT;
				else if (!strcmp(val, "server"))
					s->close = GEN_CLOSE_SERVER;
				else if (!strcmp(val, "rst"))
					s->close = GEN_CLOSE_RST;
				else
					rc = perr(path, sec, key, val, "expected client, server or rst");
			} else if (!strcmp(key, "think") || !strcmp(key, "timeout")) {
				if (!num(val, 3600000, &v))
					rc = perr(path, sec, key, val, "expected milliseconds");
				*(key[1] == 'h' ? &s->think_ms : &s->timeout_ms) = (uint32_t)v;
			} else if (!strcmp(key, "script")) {
				s->text = keep(val);
			} else {
				rc = perr(path, sec, key, val,
					  "unknown key (weight, http, method, host, header, requests, request_bytes, "
					  "response_bytes, close, think, timeout, script)");
			}
		}
		if (!rc && s->http_path && (s->request_bytes || s->response_bytes))
			rc = perr(path, sec, NULL, NULL, "http and request_bytes/response_bytes exclude each other");
		if (!rc && s->text && (s->http_path || s->request_bytes || s->response_bytes))
			rc = perr(path, sec, NULL, NULL, "script replaces http/request_bytes/response_bytes");
		free(ent);
		n++;
	}
	if (!rc && n == 0)
		rc = perr(path, "script NAME", NULL, NULL, "the file has no [script NAME] section");
	if (!rc)
		o->nscripts = n;
	for (int i = 0; i < nsec; i++)
		free(names[i]);
	free(names);
	rte_cfgfile_close(f);
	return rc;
}
