/* SPDX-License-Identifier: GPL-2.0-or-later */
/* t_scenario: the loader and template compiler: built-ins load, message
 * normalisation is byte-exact, keywords and offsets parse, and each kind
 * of bad input names file:line and what is wrong; <ua> credentials and
 * -au/-ap/-domain compile, and empty or looping ones are refused. */
#include "config.h"
#include <check.h>
#include "tests/unit/runner.h"
#include <stdio.h>
#include <string.h>
#include "scenario/builtin.h"
#include "scenario/prog.h"

static struct diag d;

static int load(const char *xml, struct prog **p)
{
	memset(&d, 0, sizeof(d));
	return scn_load_mem(p, xml, strlen(xml), "t.xml", NULL, &d);
}

static void expect_error(const char *xml, int line, const char *words)
{
	struct prog *p = NULL;

	ck_assert_int_ne(load(xml, &p), 0);
	ck_assert_ptr_null(p);
	ck_assert_str_eq(d.file, "t.xml");
	ck_assert_msg(d.line == line, "line %d, expected %d (%s)", d.line, line, d.msg);
	ck_assert_msg(strstr(d.msg, words) != NULL, "'%s' lacks '%s'", d.msg, words);
}

START_TEST(builtins_load)
{
	const char *const *n;

	for (n = scn_builtin_names(); *n; n++) {
		struct prog *p = NULL;

		ck_assert_msg(load(scn_builtin(*n), &p) == 0, "%s: %d: %s", *n, d.line, d.msg);
		ck_assert_uint_eq(p->nuas, 1);
		ck_assert_int_eq(p->uas[0].uas_mode, !strcmp(*n, "uas") || !strcmp(*n, "branchs") ||
				 !strcmp(*n, "3pcc-A") || !strcmp(*n, "3pcc-B"));
		/* the 3PCC controllers: C-B starts on a twin's command */
		ck_assert_int_eq(p->uas[0].cmd_mode, !strcmp(*n, "3pcc-C-B"));
		ck_assert_int_eq(p->twin, !strcmp(*n, "3pcc-C-A") ? PROG_TWIN_SEND_FIRST :
				 !strcmp(*n, "3pcc-C-B") ? PROG_TWIN_RECV_FIRST : PROG_TWIN_NONE);
		scn_free(p);
	}
}
END_TEST

/* the literal text of a template with no keywords */
static const char *only_lit(const struct prog *p)
{
	const struct tpl *t = p->uas[0].steps[0].msg;

	ck_assert_uint_eq(t->nsegs, 1);
	return t->segs[0].str;
}

START_TEST(normalisation)
{
	struct prog *p = NULL;

	ck_assert_int_eq(load("<scenario><send><![CDATA[\n\n"
			      "     OPTIONS sip:x SIP/2.0   \n"
			      "\tCall-ID: 1\n\n\n   ]]></send></scenario>", &p), 0);
	ck_assert_str_eq(only_lit(p), "OPTIONS sip:x SIP/2.0\r\nCall-ID: 1\r\n\r\n");
	ck_assert_int_eq(p->uas[0].steps[0].msg->is_request, 1);
	ck_assert_str_eq(p->uas[0].steps[0].msg->method, "OPTIONS");
	scn_free(p);
	ck_assert_int_eq(load("<scenario><send><![CDATA[\n"
			      "  SIP/2.0 200 OK\n  Content-Type: a/b\n\n  v=0\n  s=-\n"
			      "]]></send></scenario>", &p), 0);
	ck_assert_str_eq(only_lit(p), "SIP/2.0 200 OK\r\nContent-Type: a/b\r\n\r\nv=0\r\ns=-\r\n");
	ck_assert_int_eq(p->uas[0].steps[0].msg->status, 200);
	scn_free(p);
}
END_TEST

START_TEST(keywords)
{
	struct prog *p = NULL;
	const struct tpl *t;

	ck_assert_int_eq(load("<scenario><send><![CDATA[\n"
			      "INVITE sip:[service]@[remote_ip] SIP/2.0\n"
			      "CSeq: [cseq+1] INVITE\n"
			      "[last_Via:]\n"
			      "X: [branch-2] [field3 file=\"a.csv\"] \\[lit] [::1]\n"
			      "]]></send></scenario>", &p), 0);
	t = p->uas[0].steps[0].msg;
	ck_assert_int_eq(t->segs[1].kind, SEG_SERVICE);
	ck_assert_int_eq(t->segs[3].kind, SEG_REMOTE_IP);
	ck_assert_int_eq(t->segs[5].kind, SEG_CSEQ);
	ck_assert_int_eq(t->segs[5].offset, 1);
	ck_assert_int_eq(t->segs[7].kind, SEG_LAST_HDR);
	ck_assert_str_eq(t->segs[7].str, "Via");
	ck_assert_int_eq(t->segs[9].kind, SEG_BRANCH);
	ck_assert_int_eq(t->segs[9].offset, -2);
	ck_assert_int_eq(t->segs[11].kind, SEG_FIELD);
	ck_assert_int_eq(t->segs[11].num, 3);
	ck_assert_str_eq(t->segs[11].str, "a.csv");
	ck_assert_str_eq(t->segs[12].str, " [lit] [::1]\r\n\r\n");
	ck_assert_int_eq(p->max_field, 3);
	scn_free(p);
}
END_TEST

/* What SIPp ignores (an unknown attribute on its elements) loads with a
 * warning; under -strict it is a file:line error and nothing is built. */
START_TEST(lax_and_strict)
{
	const char *xml = "<scenario>\n<recv response=\"200\" bogus=\"1\"/>\n</scenario>";
	struct scn_opts o;
	struct prog *p = NULL;

	ck_assert_int_eq(load(xml, &p), 0);
	scn_free(p);
	p = NULL;
	memset(&o, 0, sizeof(o));
	o.strict = 1;
	memset(&d, 0, sizeof(d));
	ck_assert_int_ne(scn_load_mem(&p, xml, strlen(xml), "t.xml", &o, &d), 0);
	ck_assert_ptr_null(p);
	ck_assert_int_eq(d.line, 2);
	ck_assert_msg(strstr(d.msg, "unknown attribute 'bogus' on <recv> ignored (an error "
			     "under -strict)") != NULL, "%s", d.msg);
	expect_error("<scenario>\n<ua name=\"a\" pasword=\"x\"><send><![CDATA[\n"
		     "OPTIONS sip:x SIP/2.0\n]]></send></ua>\n</scenario>", 2,
		     "unknown attribute 'pasword' on element <ua>");
}
END_TEST

START_TEST(errors)
{
	expect_error("<scenario>\n<send>\n</scenario>\n", 3, "malformed XML");
	expect_error("<scenario>\n\n<foo/>\n</scenario>", 3, "unknown element <foo>");
	expect_error("<scenario>\n<recv response=\"200\" next=\"9\"/>\n</scenario>", 2,
		     "undefined label '9'");
	expect_error("<scenario>\n<send><![CDATA[\nOPTIONS sip:x SIP/2.0\nX: [$nope]\n]]>"
		     "</send>\n</scenario>", 4, "variable $nope is used but never assigned");
	expect_error("<scenario>\n<recv response=\"200\"><action>\n"
		     "<ereg regexp=\"(\" search_in=\"msg\" assign_to=\"1\"/>\n"
		     "</action></recv>\n</scenario>", 3, "bad regexp");
	expect_error("<scenario>\n<send><![CDATA[\nOPTIONS sip:x SIP/2.0\n\nX: [nokw]\n]]>"
		     "</send>\n</scenario>", 5, "unknown keyword [nokw]");
}
END_TEST

#define PARTY(attrs) "<ua name=\"a\" user=\"1001\" " attrs ">\n<recv request=\"OPTIONS\"/></ua>\n"

/* <ua password= domain=> compile (keywords too); -au/-ap/-domain compile
 * as templates; empty, unknown or looping ones are refused with file:line */
START_TEST(party_credentials)
{
	static const char *const set_n[] = {"pw"}, *const set_v[] = {"[field2]"};
	struct scn_opts o = {set_n, 1, set_v, NULL, 0, "[field0]", "[field1]", "[pw]x"};
	const char *xml = "<scenario>\n<param name=\"pw\" value=\"s3cret\"/>\n"
			  PARTY("password=\"[pw]\" domain=\"pbx.example\"")
			  "<ua name=\"b\" user=\"1002\"><send><![CDATA[\n"
			  "OPTIONS sip:x@[domain] SIP/2.0\nX: [password] [ua:a:domain]\n]]>"
			  "</send></ua>\n</scenario>";
	struct prog *p = NULL;

	memset(&d, 0, sizeof(d));
	ck_assert_int_eq(scn_load_mem(&p, xml, strlen(xml), "t.xml", &o, &d), 0);
	ck_assert_ptr_nonnull(p->uas[0].password);
	ck_assert_int_eq(p->uas[0].password->segs[0].kind, SEG_PARAM);
	ck_assert_str_eq(p->uas[0].domain->segs[0].str, "pbx.example");
	ck_assert_ptr_null(p->uas[1].password);
	ck_assert_int_eq(p->uas[1].steps[0].msg->segs[1].kind, SEG_DOMAIN);
	ck_assert_int_eq(p->uas[1].steps[0].msg->segs[3].kind, SEG_PASSWORD);
	ck_assert_int_eq(p->auth_user->segs[0].kind, SEG_FIELD);
	ck_assert_int_eq(p->auth_pass->segs[0].num, 1);
	ck_assert_int_eq(p->domain->segs[0].kind, SEG_PARAM);
	ck_assert_int_eq(p->max_field, 2);  /* -set pw [field2] counts */
	scn_free(p);
	expect_error("<scenario>\n\n" PARTY("password=\"\"") "</scenario>", 3,
		     "<ua password=\"\">: empty");
	expect_error("<scenario>\n" PARTY("domain=\"[nokw]\"") "</scenario>", 2,
		     "unknown keyword [nokw]");
	expect_error("<scenario>\n" PARTY("domain=\"[ua:b:domain]\"")
		     "<ua name=\"b\" user=\"1002\" domain=\"x[ua:a:domain]\">\n"
		     "<recv request=\"OPTIONS\"/></ua>\n</scenario>", 2,
		     "<ua name=\"a\">: its user=, password= or domain= refers to itself");
	expect_error("<scenario>\n" PARTY("pasword=\"x\"") "</scenario>", 2,
		     "unknown attribute 'pasword'");
}
END_TEST

START_TEST(lenient_input)
{
	struct prog *p = NULL;

	/* a raw '<' inside an attribute and a repeated attribute: warnings */
	ck_assert_int_eq(load("<scenario>\n<recv response=\"200\" optional=\"true\" "
			      "optional=\"false\"><action>\n"
			      "<ereg regexp=\"<sip:(.*)>\" search_in=\"msg\" assign_to=\"u\"/>\n"
			      "</action></recv>\n</scenario>", &p), 0);
	ck_assert_int_eq(p->uas[0].steps[0].optional, 1);
	ck_assert_int_eq(p->uas[0].steps[0].nacts, 1);
	scn_free(p);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("scenario");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, builtins_load);
	tcase_add_test(tc, normalisation);
	tcase_add_test(tc, keywords);
	tcase_add_test(tc, errors);
	tcase_add_test(tc, lax_and_strict);
	tcase_add_test(tc, lenient_input);
	tcase_add_test(tc, party_credentials);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
