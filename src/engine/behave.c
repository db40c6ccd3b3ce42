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

void ua_note_msg(struct ua *ua, const struct msg *m)
{
	char *copy;

	if (m->is_request) {
		if (!strcasecmp(m->method, "BYE"))
			ua->dlg_closed = 1;
		return;
	}
	if (strcasecmp(m->cseq_method, "INVITE") || m->status < 200)
		return;
	ua->inv_pending = 0;
	if (m->status >= 300 || ua->dlg_raw)
		return;
	/* the answer that made the dialog: kept to build a BYE from */
	copy = malloc(m->len + 1);
	if (!copy)
		return;
	memcpy(copy, m->raw, m->len + 1);
	ua->dlg_raw = copy;
	ua->dlg_len = m->len;
}

static void send_built(struct ua *ua, const char *what, const char *raw, size_t len,
		       const char *method, int use_contact)
{
	struct eng *e = ua->call->eng;
	struct msg *m = NULL;
	struct msg_pl uri;
	char via[160];

	if (msg_parse(&m, raw, len))
		return;
	uri = use_contact ? msg_contact_uri(m) : m->ruri;
	if (!uri.len) {
		msg_free(m);
		return;
	}
	snprintf(via, sizeof(via), "SIP/2.0/UDP %s:%u;branch=z9hG4bK-%d-%llu-%s",
		 e->local_ip, tp_port(ua->sock), e->pid,
		 (unsigned long long)ua->call->number, what);
	buf_reset(&e->scratch);
	if (msg_build_request(m, method, uri.p, uri.len, use_contact ? via : NULL,
			      use_contact ? ua->cseq + 1 : m->cseq, &e->scratch) == 0 &&
	    eng_send(e, ua, e->scratch.data, e->scratch.len) == 0)
		e->st.default_sent++;
	msg_free(m);
}

void ua_default_behaviour(struct ua *ua)
{
	const char *inv = ua->rtx_msg;

	if (!(ua->call->eng->o.behaviors & ENG_BEH_BYE) || ua->dlg_closed || !ua->sock)
		return;
	ua->dlg_closed = 1;
	if (ua->dlg_raw) {
		send_built(ua, "abort-bye", ua->dlg_raw, ua->dlg_len, "BYE", 1);
		return;
	}
	if (ua->inv_pending && inv && !strncmp(inv, "INVITE ", 7))
		send_built(ua, "abort-cancel", inv, ua->rtx_len, "CANCEL", 0);
}
