/* SPDX-License-Identifier: GPL-2.0-or-later */
/* prog: the compiled scenario, the contract between the loader
 * (scenario/load.c, compile.c) and the engine. Immutable after scn_load();
 * shared read-only by every call. See docs/internals/prog.md. */
#ifndef SB_PROG_H
#define SB_PROG_H

#include <regex.h>
#include <stddef.h>
#include <stdint.h>
#include "base/diag.h"
#include "base/dist.h"

/* ---- message templates ---------------------------------------------- */

/* One keyword kind per SIPp keyword we know. A template is a sequence of
 * segments: literal text (SEG_LIT) and keyword references. */
enum seg_kind {
	SEG_LIT = 0,          /* str/len: literal bytes (already CRLF'd)     */
	SEG_SERVICE,          /* [service]                                   */
	SEG_REMOTE_IP,        /* [remote_ip]                                 */
	SEG_REMOTE_PORT,      /* [remote_port] (+offset)                     */
	SEG_LOCAL_IP,         /* [local_ip]                                  */
	SEG_LOCAL_PORT,       /* [local_port] (+offset)                      */
	SEG_LOCAL_IP_TYPE,    /* [local_ip_type]: 4 or 6                     */
	SEG_MEDIA_IP,         /* [media_ip]                                  */
	SEG_MEDIA_IP_TYPE,    /* [media_ip_type]                             */
	SEG_MEDIA_PORT,       /* [media_port] (+offset)                      */
	SEG_AUTO_MEDIA_PORT,  /* [auto_media_port] (+offset)                 */
	SEG_TRANSPORT,        /* [transport]: UDP                            */
	SEG_CALL_ID,          /* [call_id]                                   */
	SEG_CSEQ,             /* [cseq] (+offset)                            */
	SEG_BRANCH,           /* [branch] (offset = message index offset)    */
	SEG_PID,              /* [pid]                                       */
	SEG_CALL_NUMBER,      /* [call_number] (+offset)                     */
	SEG_LEN,              /* [len]: body length, filled after render     */
	SEG_PEER_TAG_PARAM,   /* [peer_tag_param]: ";tag=x" or nothing       */
	SEG_LAST_HDR,         /* [last_Name:] str = "Name" (no colon);
	                         num = 1 for [last_Name:value] (value only)  */
	SEG_LAST_REQUEST_URI, /* [last_Request_URI]                          */
	SEG_LAST_CSEQ_NUMBER, /* [last_cseq_number] (+offset)                */
	SEG_LAST_MESSAGE,     /* [last_message]                              */
	SEG_FIELD,            /* [fieldN] num = N; str = file= or NULL;
	                         num2 = line= value or -1; sub = line= when
	                         it holds keywords (line="[$row]")          */
	SEG_VAR,              /* [$name] num = variable index                */
	SEG_ROUTES,           /* [routes]                                    */
	SEG_NEXT_URL,         /* [next_url]                                  */
	SEG_TIMESTAMP,        /* [timestamp]                                 */
	SEG_DATE,             /* [date]                                      */
	SEG_USERS,            /* [users]                                     */
	SEG_USERID,           /* [userid]                                    */
	SEG_AUTHENTICATION,   /* [authentication ...] str = username or NULL,
	                         str2 = password or NULL                     */
	SEG_SIPP_VERSION,     /* [sipp_version]                              */
	SEG_SERVER_IP,        /* [server_ip]                                 */
	SEG_CLIENT_IP,        /* [client_ip]                                 */
	SEG_CLOCK_TICK,       /* [clock_tick]                                */
	SEG_VIA_RECEIVED,     /* [via_received]: received= of the last Via
	                         learned, else the party's own address      */
	SEG_VIA_RPORT,        /* [via_rport] (+offset): rport= likewise      */
	SEG_UA,               /* [ua:NAME:what] str = NAME, num = enum ua_what,
	                         num2 = the party's index                    */
	SEG_RTPSTREAM_AUDIO_PORT, /* [rtpstream_audio_port] (+offset)      */
	SEG_RTPSTREAM_VIDEO_PORT, /* [rtpstream_video_port] (+offset)      */
	SEG_KEY,              /* a -key NAME keyword: num = its index         */
	SEG_PARAM,            /* a <param> keyword: num = its index           */
	SEG_PASSWORD,         /* [password]: -ap rendered, else "password"    */
	SEG_DOMAIN,           /* [domain]: -domain rendered, else the target's
	                         address as [remote_ip]                       */
	SEG_CRYPTO,           /* SIPp's SDES keywords ([cryptotag1audio] ...):
	                         num = what | line << 4 | kind << 8 | suite << 12
	                         (what: 0 tag, 1 suite, 2 key params, 3 ue;
	                         line 0/1; kind 0 audio, 1 video; suite as
	                         media/srtp.h); offset < 0: keep the key      */
};

struct tpl_seg {
	enum seg_kind kind;
	int32_t offset;        /* the +n / -n after a numeric keyword         */
	int32_t num;           /* field number, variable index, flags          */
	int32_t num2;          /* second number (field line=), else -1         */
	const char *str;       /* literal text or argument; owned by the prog  */
	size_t len;            /* length of str                                */
	const char *str2;      /* second argument or NULL                      */
	struct tpl *sub, *sub2; /* str/str2 when they hold keywords
	                          ([authentication username=[field0]])        */
};

/* A compiled message. The literal text is already normalised as SIPp
 * does: leading and trailing blank lines removed, leading white space of
 * every line removed, lines joined with CRLF, headers closed by an empty
 * line (CRLF CRLF); a body, when present, ends with CRLF. */
struct tpl {
	struct tpl_seg *segs;
	unsigned nsegs;
	int is_request;        /* first line is "METHOD uri SIP/2.0"           */
	char method[24];       /* request method (e.g. "INVITE"), else ""      */
	int status;            /* response status code, else 0                 */
	int line;              /* XML line of the CDATA start                  */
};

/* ---- actions ---------------------------------------------------------- */

enum act_kind {
	ACT_EREG,              /* regexp, search_in, header, check_it, assign_to */
	ACT_ASSIGNSTR,         /* var = expanded tpl "value"                  */
	ACT_ASSIGN,            /* var = dval | var2                            */
	ACT_ADD, ACT_SUBTRACT, ACT_MULTIPLY, ACT_DIVIDE, /* var op= dval|var2 */
	ACT_TODOUBLE,          /* var = strtod(var2)                           */
	ACT_TEST,              /* var = (var2 cmp dval|var3)                   */
	ACT_STRCMP,            /* var = strcmp(var2, tpl value | var3)         */
	ACT_JUMP,              /* goto step index (dval) or var2's value       */
	ACT_LOG, ACT_WARNING, ACT_ERROR, /* tpl message                        */
	ACT_GETTIMEOFDAY,      /* vars[0] = seconds, vars[1] = microseconds    */
	ACT_EXEC,              /* tpl = command ("command" attribute) or an
	                          unsupported exec kind (str = its name)       */
	ACT_SETDEST,           /* issue 6                                      */
	ACT_VERIFYAUTH,        /* issue 3                                      */
	ACT_LOOKUP,            /* SIPp's -infindex lookup: value = file, value2
	                          = key; var = the row, or -1                  */
	ACT_SAMPLE,            /* var = a draw of dist                        */
	ACT_TRIM,              /* var's text without leading/trailing spaces  */
	ACT_URLENCODE, ACT_URLDECODE, /* var2's text %-encoded / decoded       */
	ACT_INDEX,             /* var = the index of the step running it      */
	ACT_IGNORED,           /* loaded, warned about, not run (str = name)  */
};

enum search_in { SEARCH_MSG, SEARCH_HDR, SEARCH_BODY, SEARCH_VAR };

enum cmp_op { CMP_EQ, CMP_NE, CMP_GT, CMP_LT, CMP_GE, CMP_LE };

#define PROG_NOVAR (-1)

struct action {
	enum act_kind kind;
	int line;               /* XML line                                    */
	int var;                /* assign_to (first), else PROG_NOVAR          */
	int *vars;              /* ereg: all assign_to vars; [0] = whole match,
	                           [i] = group i                               */
	unsigned nvars;
	int var2;               /* "variable" attribute, else PROG_NOVAR       */
	int var3;               /* "variable2" attribute, else PROG_NOVAR      */
	double dval;            /* "value" as a number (assign, add, test...)  */
	int has_dval;
	enum cmp_op cmp;        /* test                                        */
	regex_t re;             /* ereg: compiled once (REG_EXTENDED)          */
	int re_ok;              /* re must be regfree'd                        */
	enum search_in search;  /* ereg                                        */
	const char *header;     /* ereg search_in="hdr": "Name", or "Name:"    */
	unsigned occurrence;    /* ereg search_in="hdr": the nth such header   */
	int check_it;           /* ereg: fail the call when no match           */
	int check_it_inverse;   /* ereg: fail the call when it matches         */
	int case_indep;         /* ereg                                        */
	struct tpl *value;      /* assignstr/strcmp value, log text, exec cmd,
	                           verifyauth username                         */
	struct tpl *value2;     /* verifyauth password, setdest port           */
	struct tpl *value3;     /* setdest protocol (value: its host)          */
	const char *str;        /* exec: the name of an unsupported exec kind  */
	struct dist dist;       /* sample                                      */
	int step;               /* index: the step holding the action         */
	const char *arg;        /* exec: that attribute's value (the pcap file
	                           of play_pcap_*, rtp_echo's "startaudio,..."
	                           or <rtp_echo value=>), owned by the prog   */
};

/* ---- steps ------------------------------------------------------------ */

enum step_kind {
	STEP_SEND,
	STEP_RECV,
	STEP_PAUSE,
	STEP_NOP,
	STEP_LABEL,             /* no-op; target of next/ontimeout/jump        */
	STEP_TIMEWAIT,          /* a pause after which the call ends (counted
	                           at the start of the timewait as SIPp does)  */
	STEP_SIGNAL,            /* issue 3: <signal name>                      */
	STEP_WAIT,              /* issue 3: <wait for>                         */
	STEP_SENDCMD,           /* <sendCmd [dest=]>: msg to the 3PCC twin     */
	STEP_RECVCMD,           /* <recvCmd [src=]>: wait for a twin command   */
};

enum pause_kind { PAUSE_DEFAULT, PAUSE_FIXED, PAUSE_UNIFORM, PAUSE_VAR, PAUSE_DIST };

struct step {
	enum step_kind kind;
	int line;               /* XML line of the element                     */
	unsigned index;         /* position in steps[]                         */
	unsigned msg_index;     /* SIPp's message index: the steps before it
	                           that are not labels (<jump value=>, <index>) */
	char display[40];       /* short name for reports: "INVITE", "100",
	                           "Pause 1000ms", "[NOP]"                      */

	/* send */
	struct tpl *msg;
	int retrans_ms;         /* retrans= T1 in ms; 0 = default (-t u*: 500)  */
	int resend_copy;        /* keep what was sent to resend it (rendering
	                           again might differ: time, variables)      */
	int lost_pct;           /* lost=: percent of sends to drop (0..100)    */
	int txn_send;           /* start_txn= or ack_txn=: its method stays out
	                           of the later recvs' cseq_methods           */
	int start_txn;          /* start_txn= present                          */

	/* recv */
	int response;           /* response=: status code; 0 for a request     */
	regex_t response_re;    /* response= with regexp_match="true"          */
	int response_re_ok;
	const char *request;    /* request=: method, or NULL                   */
	const char *cseq_methods; /* response=: SIPp's matching, the CSeq methods
	                           it takes (" INVITE BYE "): those of the
	                           requests the party sent before it, less
	                           start_txn/ack_txn ones; NULL: any (the
	                           first step, or an unknown method before) */
	const char *txn_method; /* response_txn=: only this CSeq method, that
	                           of the request with start_txn= that name  */
	int optional;           /* optional="true": 1; "global": 2             */
	int timeout_ms;         /* timeout=: 0 = none (-recv_timeout applies)  */
	int max_time_ms;        /* max_time=: the message must come within this
	                           many ms of the last send, or of ...         */
	int max_time_from;      /* max_time_from=: ... this rtd's start (index
	                           + 1), 0: the last send                      */
	int ontimeout;          /* step index, or -1                           */
	int crlf;               /* crlf="true": a blank line after its row on
	                           the scenario screen                         */
	int hide;               /* hide= (or the last hiderest=): no row on the
	                           scenario screen                             */
	int auth;               /* auth="true": challenge is kept (issue 3)    */
	int rrs;                /* rrs="true": record the route set            */
	int ignoresdp;
	int keep_last;          /* a later step reads this message ([last_*]):
	                           the call keeps it until the next recv      */

	/* send and recv */
	int next;               /* step index to go to after this one, or -1   */
	int test;               /* variable that gates next=, or PROG_NOVAR    */
	int chance_pct;         /* chance= for next (0..100), 100 by default   */
	int rtd;                /* rtd=: rtd index + 1 to stop, 0 none         */
	int start_rtd;          /* start_rtd=: rtd index + 1, 0 none           */
	int repeat_rtd;         /* repeat_rtd="true"                           */
	int counter;            /* counter=: generic counter index + 1, 0 none */
	int condexec;           /* condexec=: run the step only when this
	                           variable is true (SIPp's "set"), else skip
	                           it; PROG_NOVAR: always run                 */
	int condexec_inverse;   /* condexec_inverse="true": only when false    */

	/* pause / timewait */
	enum pause_kind pause;
	int pause_ms;           /* fixed / milliseconds=                       */
	int pause_min_ms, pause_max_ms; /* distribution="uniform"              */
	int pause_var;          /* variable= holding the duration in ms        */
	struct dist pause_dist; /* distribution= other than fixed and uniform  */

	int stay;               /* recv advance_state="false" (optional only):
	                           counted and its actions run, the party
	                           stays where it was                         */

	/* signal / wait; sendCmd dest= / recvCmd src= (NULL: the -3pcc twin) */
	const char *name;
	int sig;                /* index in prog->signal_names                 */

	struct action *acts;    /* <action> children                          */
	unsigned nacts;
};

/* One party. A scenario without <ua> has exactly one, named "default". */
struct prog_ua {
	const char *name;
	struct step *steps;
	unsigned nsteps;
	int uas_mode;           /* the first non-label step is a recv request:
	                           calls start on an incoming request          */
	struct tpl *user;       /* <ua user=>: the party's user part (keywords
	                           allowed); NULL: one is generated            */
	struct tpl *password;   /* <ua password=>: its digest password (keywords
	                           allowed); NULL: [password]                 */
	struct tpl *domain;     /* <ua domain=>: what [ua:NAME:domain] gives;
	                           NULL: [domain]                              */
	const char *advertise;  /* <ua advertise=>: HOST[:PORT] shown instead of
	                           the socket's address, or NULL               */
	int learns_via;         /* renders [via_received]/[via_rport]: read
	                           each response's Via (scn_flow)              */
	int cmd_mode;           /* the first non-label step is a <recvCmd>:
	                           calls start on a 3PCC twin's command        */
};

/* How a scenario uses the 3PCC twin link (SIPp's -3pcc, -master/-slave):
 * from which of <sendCmd> and <recvCmd> comes first in it. */
enum prog_twin { PROG_TWIN_NONE, PROG_TWIN_SEND_FIRST, PROG_TWIN_RECV_FIRST };

/* What [ua:NAME:what] reads of party NAME (tpl_seg.num). */
enum ua_what { UA_WHAT_USER, UA_WHAT_CONTACT, UA_WHAT_URI, UA_WHAT_IP,
	       UA_WHAT_PORT, UA_WHAT_DOMAIN };

struct prog {
	char *name;             /* <scenario name=>                            */
	char *file;             /* path as given, for messages                 */
	struct prog_ua *uas;
	unsigned nuas;
	char **var_names;       /* variable index -> name (without '$')        */
	unsigned nvars;
	char **rtd_names;       /* response-time counter index -> name ("1")   */
	unsigned nrtds;
	char **counter_names;   /* counter= index -> its -trace_stat column:
	                           the name, or GenericCounterN for a number N */
	unsigned ncounters;
	int *rtr_ms;            /* <ResponseTimeRepartition value=> bounds     */
	unsigned nrtr;
	int *clr_ms;            /* <CallLengthRepartition value=> bounds       */
	unsigned nclr;
	char **globals;         /* <Global variables="a,b"/> names             */
	unsigned nglobals;
	int max_field;          /* highest [fieldN] used, -1 when none         */
	char **param_names;     /* <param name=> by index                      */
	struct tpl **params;    /* their values (default, or -set's)           */
	unsigned nparams;
	char **signal_names;    /* <signal>/<wait> names, by index (max 64)    */
	unsigned nsignals;
	struct tpl *auth_user;  /* -au compiled (keywords allowed), or NULL    */
	struct tpl *auth_pass;  /* -ap likewise: [password]                    */
	struct tpl *domain;     /* -domain likewise: [domain]                  */
	enum prog_twin twin;    /* <sendCmd>/<recvCmd> use                   */
	struct prog_ua init;    /* <init>: steps whose actions run once before
	                           the first call, setting global variables    */
	void *arena;            /* the loader's private memory (strings etc.)  */
	const struct scn_opts *opts; /* while loading only, else NULL          */
};

/* Options of the loader that come from the command line. */
struct scn_opts {
	const char *const *set_names; /* -set NAME VALUE pairs: names         */
	unsigned nset;
	const char *const *set_values; /* and their values                   */
	const char *const *key_names; /* -key NAME VALUE pairs: names         */
	unsigned nkey;
	const char *auth_user;  /* -au, -ap, -domain: templates, or NULL     */
	const char *auth_pass;
	const char *domain;
	int strict;             /* -strict: what SIPp ignores or repairs is an
	                           error, not a warning                        */
	int infindex;           /* -infindex given: <lookup> can run         */
};

/* Load and compile a scenario from a file (path) or from memory (xml,
 * with path used only in messages). On error returns EINVAL and fills d
 * with file:line and what is wrong; nothing is left allocated. Warnings
 * for lenient input go to stderr as "file:line: warning: ...". */
int scn_load_file(struct prog **pp, const char *path,
		  const struct scn_opts *o, struct diag *d);
int scn_load_mem(struct prog **pp, const char *xml, size_t len,
		 const char *path, const struct scn_opts *o, struct diag *d);
void scn_free(struct prog *p);

/* Look a variable up by name (without '$'); PROG_NOVAR if unknown. */
int scn_var_index(const struct prog *p, const char *name);

/* Compile one message template (exposed for unit tests and the target).
 * text is the raw CDATA, line the XML line where it starts; variable
 * names are resolved in p (added if new; add_vars is reserved). */
int scn_tpl_compile(struct prog *p, struct tpl **tp, const char *text,
		    int line, int add_vars, struct diag *d);

#endif
