/* http_resp.c: the response parser of http_resp.h. Bodies (Content-Length, chunk data, until
 * FIN) are skipped a run at a time; everything else goes through one byte at a time, each byte
 * handled by its state, a line's end by the state the line ends in. */
#include "load/http_resp.h"

#include <string.h>

enum {
	ST_VER = 0,             /* "HTTP/1.x ": sub = bytes matched */
	ST_CODE,                /* three digits: sub = digits seen */
	ST_REASON,
	ST_HSTART,              /* the start of a field line, or the head's end */
	ST_HNAME,               /* sub = position | candidate names << 5 */
	ST_HVAL,                /* by hdr; sub: the value's reader */
	ST_BODY,                /* Content-Length: left bytes */
	ST_UNTIL_FIN,
	ST_CHUNK_SIZE,          /* sub: 0 no digit yet, 1 digits, 2 whitespace after them */
	ST_CHUNK_EXT,
	ST_CHUNK_DATA,          /* left bytes */
	ST_CHUNK_END,           /* the line end after a chunk's data */
	ST_TSTART,              /* the start of a trailer line, or the trailer's end */
	ST_TLINE,
	ST_ERROR,               /* sub: the error */
};

enum { H_NONE = 0, H_OTHER, H_CL, H_TE, H_CONN };

#define F_HEAD    0x01u
#define F_CL      0x02u         /* a Content-Length was read: left */
#define F_TE      0x04u         /* a Transfer-Encoding was seen */
#define F_CHUNKED 0x08u         /* its last coding so far is chunked */
#define F_CLOSE   0x10u         /* Connection: close */
#define F_CR      0x20u         /* a CR ended the line: an LF must follow */

/* The field names read, lower case, by candidate bit. */
static const char *const names[3] = { "content-length", "transfer-encoding", "connection" };
static const uint8_t name_len[3] = { 14, 17, 10 };

/* A token list's reader (Transfer-Encoding, Connection): sub = bytes of the word matched so far,
 * and these bits. */
#define TOK_POS       0x0fu
#define TOK_MISMATCH  0x10u
#define TOK_WS_AFTER  0x20u     /* whitespace after the token's first byte: another byte mismatches */
#define TOK_NONEMPTY  0x40u

const char *synack_http_err_name(unsigned e)
{
	static const char *const n[SYNACK_HTTP_ERR_COUNT] = {
		"none", "bad status line", "bad header", "bad chunk size", "length overflow", "short response",
	};
	return e < SYNACK_HTTP_ERR_COUNT ? n[e] : "?";
}

void synack_http_resp_init(struct synack_http_resp *p, bool head)
{
	memset(p, 0, sizeof(*p));
	p->flags = head ? F_HEAD : 0;
}

bool synack_http_resp_idle(const struct synack_http_resp *p)
{
	return p->state == ST_VER && p->sub == 0;
}

static bool is_tchar(uint8_t c)
{
	if ((c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'))
		return true;
	switch (c) {
	case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
	case '-': case '.': case '^': case '_': case '`': case '|': case '~':
		return true;
	default:
		return false;
	}
}

/* A field value's or reason's byte: HTAB, SP, VCHAR, obs-text. */
static bool is_text(uint8_t c) { return c == '\t' || (c >= 0x20 && c != 0x7f); }

static uint8_t lower(uint8_t c) { return c >= 'A' && c <= 'Z' ? (uint8_t)(c | 0x20) : c; }

static int hex_value(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (uint8_t)(c | 0x20);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* One more byte of a field name: the candidates that still match. */
static uint8_t name_step(uint8_t sub, uint8_t c)
{
	unsigned pos = sub & 0x1fu, mask = sub >> 5;
	c = lower(c);
	for (unsigned i = 0; i < 3; i++)
		if ((mask & (1u << i)) && (pos >= name_len[i] || (uint8_t)names[i][pos] != c))
			mask &= ~(1u << i);
	if (pos < 31)
		pos++;
	return (uint8_t)(pos | mask << 5);
}

static uint8_t name_end(uint8_t sub)
{
	unsigned pos = sub & 0x1fu, mask = sub >> 5;
	for (unsigned i = 0; i < 3; i++)
		if ((mask & (1u << i)) && pos == name_len[i])
			return (uint8_t)(H_CL + i);
	return H_OTHER;
}

/* The end of one token of a list: does it match the word the field looks for? */
static void token_end(struct synack_http_resp *p)
{
	if (!(p->sub & TOK_NONEMPTY))
		return;
	bool match = !(p->sub & TOK_MISMATCH) && (p->sub & TOK_POS) == (p->hdr == H_TE ? 7u : 5u);
	if (p->hdr == H_TE)
		p->flags = (uint8_t)(match ? p->flags | F_CHUNKED : p->flags & ~F_CHUNKED);
	else if (match)
		p->flags |= F_CLOSE;
}

static void token_byte(struct synack_http_resp *p, uint8_t c)
{
	const char *word = p->hdr == H_TE ? "chunked" : "close";
	unsigned len = p->hdr == H_TE ? 7u : 5u;
	if (c == ',') {
		token_end(p);
		p->sub = 0;
	} else if (c == ' ' || c == '\t') {
		if (p->sub & TOK_NONEMPTY)
			p->sub |= TOK_WS_AFTER;
	} else {
		unsigned pos = p->sub & TOK_POS;
		if ((p->sub & (TOK_WS_AFTER | TOK_MISMATCH)) || pos >= len || lower(c) != (uint8_t)word[pos])
			p->sub |= TOK_MISMATCH;
		else
			p->sub = (uint8_t)((p->sub & ~TOK_POS) | (pos + 1));
		p->sub |= TOK_NONEMPTY;
	}
}

/* The state a line ending in state st was wrong in names the error. */
static uint8_t err_of(uint8_t st)
{
	switch (st) {
	case ST_VER: case ST_CODE: case ST_REASON:
		return SYNACK_HTTP_ERR_STATUS_LINE;
	case ST_CHUNK_SIZE: case ST_CHUNK_EXT: case ST_CHUNK_END:
		return SYNACK_HTTP_ERR_CHUNK_SIZE;
	default:
		return SYNACK_HTTP_ERR_HEADER;
	}
}

/* A byte of a line, not its end. Returns an error or 0. */
static uint8_t on_byte(struct synack_http_resp *p, uint8_t c)
{
	switch (p->state) {
	case ST_VER:
		if (p->sub < 7) {
			if (c != (uint8_t)"HTTP/1."[p->sub])
				return SYNACK_HTTP_ERR_STATUS_LINE;
			p->sub++;
		} else if (p->sub == 7) {
			if (c < '0' || c > '9')
				return SYNACK_HTTP_ERR_STATUS_LINE;
			p->sub++;
		} else {
			if (c != ' ')
				return SYNACK_HTTP_ERR_STATUS_LINE;
			p->state = ST_CODE;
			p->sub = 0;
		}
		return 0;
	case ST_CODE:
		if (p->sub == 3) {
			if (c != ' ')
				return SYNACK_HTTP_ERR_STATUS_LINE;
			p->state = ST_REASON;
			return 0;
		}
		if (c < '0' || c > '9')
			return SYNACK_HTTP_ERR_STATUS_LINE;
		p->status = (uint16_t)(p->status * 10 + (c - '0'));
		if (++p->sub == 3 && p->status < 100)
			return SYNACK_HTTP_ERR_STATUS_LINE;
		return 0;
	case ST_REASON:
		return is_text(c) ? 0 : SYNACK_HTTP_ERR_STATUS_LINE;
	case ST_HSTART:
		if (c == ' ' || c == '\t') {
			/* obs-fold: the previous field goes on, when it is one we skip */
			if (p->hdr != H_OTHER)
				return SYNACK_HTTP_ERR_HEADER;
			p->state = ST_HVAL;
			return 0;
		}
		if (!is_tchar(c))
			return SYNACK_HTTP_ERR_HEADER;
		p->state = ST_HNAME;
		p->sub = name_step(7u << 5, c);
		return 0;
	case ST_HNAME:
		if (c == ':') {
			p->hdr = name_end(p->sub);
			p->state = ST_HVAL;
			p->sub = 0;
			if (p->hdr == H_CL)
				p->body = 0;
			else if (p->hdr == H_TE)
				p->flags |= F_TE;
			return 0;
		}
		if (!is_tchar(c))
			return SYNACK_HTTP_ERR_HEADER;
		p->sub = name_step(p->sub, c);
		return 0;
	case ST_HVAL:
		if (!is_text(c))
			return SYNACK_HTTP_ERR_HEADER;
		switch (p->hdr) {
		case H_CL:
			/* sub: 0 leading whitespace, 1 digits, 2 whitespace after them */
			if (c == ' ' || c == '\t') {
				if (p->sub == 1)
					p->sub = 2;
			} else if (c >= '0' && c <= '9' && p->sub < 2) {
				if (p->body > (SYNACK_HTTP_LEN_MAX - (uint64_t)(c - '0')) / 10)
					return SYNACK_HTTP_ERR_LENGTH_OVERFLOW;
				p->body = p->body * 10 + (uint64_t)(c - '0');
				p->sub = 1;
			} else {
				return SYNACK_HTTP_ERR_HEADER;
			}
			return 0;
		case H_TE:
		case H_CONN:
			token_byte(p, c);
			return 0;
		default:
			return 0;
		}
	case ST_CHUNK_SIZE: {
		int v = hex_value(c);
		if (v >= 0 && p->sub < 2) {
			if (p->left > (SYNACK_HTTP_LEN_MAX - (uint64_t)v) / 16)
				return SYNACK_HTTP_ERR_LENGTH_OVERFLOW;
			p->left = p->left * 16 + (uint64_t)v;
			p->sub = 1;
		} else if ((c == ' ' || c == '\t') && p->sub) {
			p->sub = 2;     /* BWS before the extension */
		} else if (c == ';' && p->sub) {
			p->state = ST_CHUNK_EXT;
		} else {
			return SYNACK_HTTP_ERR_CHUNK_SIZE;
		}
		return 0;
	}
	case ST_CHUNK_EXT:
		return is_text(c) ? 0 : SYNACK_HTTP_ERR_CHUNK_SIZE;
	case ST_CHUNK_END:
		return SYNACK_HTTP_ERR_CHUNK_SIZE;
	case ST_TSTART:
		if (c != ' ' && c != '\t' && !is_tchar(c))
			return SYNACK_HTTP_ERR_HEADER;
		p->state = ST_TLINE;
		return 0;
	case ST_TLINE:
		return is_text(c) ? 0 : SYNACK_HTTP_ERR_HEADER;
	default:
		return SYNACK_HTTP_ERR_HEADER;
	}
}

/* The end of the head: where the body goes. Returns true when the response is complete. */
static bool head_end(struct synack_http_resp *p)
{
	p->body = 0;
	if ((p->flags & F_HEAD) || p->status < 200 || p->status == 204 || p->status == 304)
		return true;
	p->sub = 0;
	if (p->flags & F_TE) {
		p->state = p->flags & F_CHUNKED ? ST_CHUNK_SIZE : ST_UNTIL_FIN;
		p->left = 0;
		return false;
	}
	if (p->flags & F_CL) {
		p->state = ST_BODY;
		return p->left == 0;
	}
	p->state = ST_UNTIL_FIN;
	return false;
}

/* A line's end in the current state. Returns an error or 0; *done when the response is complete. */
static uint8_t on_eol(struct synack_http_resp *p, bool *done)
{
	switch (p->state) {
	case ST_CODE:           /* the code alone, without the space before an empty reason */
	case ST_REASON:
		if (p->state == ST_CODE && p->sub != 3)
			return SYNACK_HTTP_ERR_STATUS_LINE;
		p->state = ST_HSTART;
		p->hdr = H_NONE;
		return 0;
	case ST_HSTART:
		*done = head_end(p);
		return 0;
	case ST_HVAL:
		if (p->hdr == H_CL) {
			if (p->sub == 0 || ((p->flags & F_CL) && p->left != p->body))
				return SYNACK_HTTP_ERR_HEADER;
			p->left = p->body;
			p->body = 0;
			p->flags |= F_CL;
		} else if (p->hdr == H_TE || p->hdr == H_CONN) {
			token_end(p);
		}
		p->state = ST_HSTART;
		return 0;
	case ST_CHUNK_SIZE:
	case ST_CHUNK_EXT:
		if (p->state == ST_CHUNK_SIZE && p->sub == 0)
			return SYNACK_HTTP_ERR_CHUNK_SIZE;
		if (p->left > SYNACK_HTTP_LEN_MAX - p->body)
			return SYNACK_HTTP_ERR_LENGTH_OVERFLOW;
		p->state = p->left ? ST_CHUNK_DATA : ST_TSTART;
		return 0;
	case ST_CHUNK_END:
		p->state = ST_CHUNK_SIZE;
		p->sub = 0;
		p->left = 0;
		return 0;
	case ST_TSTART:
		*done = true;
		return 0;
	case ST_TLINE:
		p->state = ST_TSTART;
		return 0;
	default:
		return err_of(p->state);
	}
}

static enum synack_http_rc fail(struct synack_http_resp *p, uint8_t err, uint32_t used,
				struct synack_http_result *r)
{
	p->state = ST_ERROR;
	p->sub = err;
	memset(r, 0, sizeof(*r));
	r->used = used;
	r->err = err;
	return SYNACK_HTTP_ERROR;
}

static enum synack_http_rc complete(struct synack_http_resp *p, uint32_t used, bool fin,
				    struct synack_http_result *r)
{
	r->body = p->body;
	r->used = used;
	r->status = p->status;
	r->err = SYNACK_HTTP_ERR_NONE;
	r->close = fin || (p->flags & F_CLOSE);
	synack_http_resp_init(p, p->flags & F_HEAD);
	return SYNACK_HTTP_DONE;
}

enum synack_http_rc synack_http_resp_feed(struct synack_http_resp *p, const uint8_t *d, uint32_t n,
					  struct synack_http_result *r)
{
	if (p->state == ST_ERROR)
		return fail(p, p->sub, 0, r);
	uint32_t i = 0;
	while (i < n) {
		switch (p->state) {
		case ST_BODY:
		case ST_CHUNK_DATA: {
			uint64_t take = n - i < p->left ? n - i : p->left;
			i += (uint32_t)take;
			p->left -= take;
			p->body += take;
			if (p->left)
				continue;
			if (p->state == ST_BODY)
				return complete(p, i, false, r);
			p->state = ST_CHUNK_END;
			continue;
		}
		case ST_UNTIL_FIN:
			p->body += n - i;
			if (p->body > SYNACK_HTTP_LEN_MAX)
				return fail(p, SYNACK_HTTP_ERR_LENGTH_OVERFLOW, n, r);
			i = n;
			continue;
		default:
			break;
		}
		uint8_t c = d[i++], err;
		bool done = false;
		if (p->flags & F_CR) {
			if (c != '\n')
				return fail(p, err_of(p->state), i, r);
			p->flags &= (uint8_t)~F_CR;
			err = on_eol(p, &done);
		} else if (c == '\r') {
			p->flags |= F_CR;
			continue;
		} else if (c == '\n') {
			err = on_eol(p, &done);
		} else {
			err = on_byte(p, c);
		}
		if (err)
			return fail(p, err, i, r);
		if (done)
			return complete(p, i, false, r);
	}
	r->used = n;
	return SYNACK_HTTP_MORE;
}

enum synack_http_rc synack_http_resp_fin(struct synack_http_resp *p, struct synack_http_result *r)
{
	if (p->state == ST_UNTIL_FIN)
		return complete(p, 0, true, r);
	return fail(p, p->state == ST_ERROR ? p->sub : SYNACK_HTTP_ERR_SHORT, 0, r);
}
