/* SPDX-License-Identifier: GPL-2.0-or-later */
/* behave: SIPp's default behaviour "bye" for a call that fails or is
 * aborted: a client whose INVITE was answered 2xx sends a BYE, one whose
 * INVITE is still unanswered sends a CANCEL (RFC 3261 9.1, 15), so the
 * target is not left holding a call. Off with -nd or
 * -default_behaviors -bye. */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "engine/internal.h"
#include "sip/msg.h"

/* What a BYE in the dialog of 2xx m needs (RFC 3261 12.1.2: the remote
 * target, and the From and To as the dialog knows them), kept as
 * "contact\0From\0To\0" instead of the whole message. */
static char *dialog_of(const struct msg *m)
{
	struct msg_pl c = msg_contact_uri(m), f = msg_hdr_first(m, "From", 4),
		      t = msg_hdr_first(m, "To", 2);
	char *d, *p;

	if (!c.len || !f.len || !t.len)
		return NULL;
	d = p = malloc(c.len + f.len + t.len + 3);
	if (!d)
		return NULL;
	memcpy(p, c.p, c.len);
	p += c.len;
	*p++ = '\0';
	memcpy(p, f.p, f.len);
	p += f.len;
	*p++ = '\0';
	memcpy(p, t.p, t.len);
	p[t.len] = '\0';
	return d;
}

void ua_note_msg(struct ua *ua, const struct msg *m)
{
	if (m->is_request) {
		if (!strcasecmp(m->method, "BYE"))
			ua->dlg_closed = 1;
		return;
	}
	if (strcasecmp(m->cseq_method, "INVITE") || m->status < 200)
		return;
	ua->inv_pending = 0;
	if (m->status >= 300 || ua->dlg)
		return;
	ua->dlg = dialog_of(m);
}

static void send_count(struct ua *ua, struct buf *b)
{
	struct eng *e = ua->call->eng;

	if (eng_send(e, ua, b->data, b->len) == 0)
		e->st.default_sent++;
}

static void via_of(const struct ua *ua, const char *what, char *via, size_t n)
{
	const struct eng *e = ua->call->eng;

	/* the address the party advertises, and RFC 3581 rport, as the
	 * party's own requests do */
	snprintf(via, n, "SIP/2.0/%s %s:%u;rport;branch=z9hG4bK-%d-%llu-%s",
		 tp_proto_name(tp_sock_proto(ua->sock)), eng_ua_host(ua), eng_ua_port(ua), e->pid,
		 (unsigned long long)ua->call->number, what);
}

/* The URI between the <> of a To header's value (SIPp's
 * [last_Request_URI] of a response), len 0 when it has no <>. */
static struct msg_pl to_uri(const char *to)
{
	const char *lt = strchr(to, '<'), *gt = lt ? strchr(lt, '>') : NULL;
	struct msg_pl u = {"", 0};

	if (lt && gt) {
		u.p = lt + 1;
		u.len = (size_t)(gt - lt - 1);
	}
	return u;
}

/* The BYE of our dialog, as SIPp's: to [next_url] with the route set
 * when rrs="true" made them, else to the URI of the 2xx's To (SIPp's
 * [last_Request_URI] then), else to the 2xx's Contact. */
static void send_bye(struct ua *ua)
{
	struct buf *b = &ua->call->eng->scratch;
	struct msg_req q = {0};
	char via[160];
	const char *contact = ua->dlg;

	via_of(ua, "abort-bye", via, sizeof(via));
	q.method = "BYE";
	q.from.p = contact + strlen(contact) + 1;
	q.from.len = strlen(q.from.p);
	q.to.p = q.from.p + q.from.len + 1;
	q.to.len = strlen(q.to.p);
	if (ua->next_url) {
		q.ruri.p = ua->next_url;
		q.ruri.len = strlen(ua->next_url);
	} else {
		q.ruri = to_uri(q.to.p);
	}
	if (!q.ruri.len) {
		q.ruri.p = contact;
		q.ruri.len = strlen(contact);
	}
	if (ua->routes && !strncmp(ua->routes, "Route: ", 7)) {
		q.route.p = ua->routes + 7;
		q.route.len = strlen(q.route.p);
	}
	q.via.p = via;
	q.via.len = strlen(via);
	q.call_id.p = ua->call_id ? ua->call_id : "";
	q.call_id.len = strlen(q.call_id.p);
	q.cseq = ua->cseq + 1;
	buf_reset(b);
	if (msg_build_req(&q, b) == 0)
		send_count(ua, b);
}

/* The CANCEL of our pending INVITE (RFC 3261 9.1: its Request-URI, top
 * Via, From, To, Call-ID and CSeq number). */
static void send_cancel(struct ua *ua)
{
	struct buf *b = &ua->call->eng->scratch;
	struct msg *m = NULL;

	if (msg_parse(&m, ua->rtx_msg, ua->rtx_len))
		return;
	buf_reset(b);
	if (m->ruri.len &&
	    msg_build_request(m, "CANCEL", m->ruri.p, m->ruri.len, NULL, m->cseq, b) == 0)
		send_count(ua, b);
	msg_free(m);
}

void ua_default_behaviour(struct ua *ua)
{
	const char *inv = ua->rtx_msg;

	if (!(ua->call->eng->o.behaviors & ENG_BEH_BYE) || ua->dlg_closed || !ua->sock)
		return;
	ua->dlg_closed = 1;
	if (ua->dlg) {
		send_bye(ua);
		return;
	}
	if (ua->inv_pending && inv && !strncmp(inv, "INVITE ", 7))
		send_cancel(ua);
}
