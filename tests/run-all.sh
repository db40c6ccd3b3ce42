#!/bin/sh
# Build sipbench and run every test; the last line says "N passed, N failed".
# Every test make check lists (make list-tests: unit programs, fuzz
# replays, meta scripts, cases) is counted: one without a result (its
# program did not build, make stopped) counts as failed. TESTS='...'
# restricts the run to those tests, as with make check.
# As root on Debian it first installs what the build and the tests need,
# including the test peers SIPp (sip-tester) and Kamailio.
#
# DISTCHECK=1 also runs make distcheck (with the cases that name the
# tree's files, see vpath_tests). SANITIZE=1 also builds the
# distributed files a second time in build-asan/ with ./configure --enable-sanitizers
# (ASan, LeakSanitizer, UBSan) and runs the whole suite there but for the
# valgrind cases and those too timing-bound for an ASan binary (keyword
# asan-slow, docs/tests.md); its results are listed as "asan: ..." and
# counted in the last line. CI sets both.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
	# keep Debian from starting the packaged Kamailio service: the tests
	# start their own, on their own ports
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
		chmod +x /usr/sbin/policy-rc.d
		trap 'rm -f /usr/sbin/policy-rc.d' EXIT
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null &&
	apt-get install -y -q build-essential autoconf automake pkg-config \
		libosip2-dev libxml2-dev libpcap-dev libssl-dev libsrtp2-dev libjansson-dev check python3 groff-base \
		sip-tester kamailio kamailio-tls-modules kamailio-websocket-modules openssl \
		tshark libxml2-utils python3-yaml iproute2 nftables iptables libnetfilter-queue-dev valgrind \
		>/dev/null || { echo "apt-get failed"; exit 1; }
fi

# make check with TESTS restricted when the caller set it
check() {	# check DIR TARGET...
	d=$1
	shift
	if [ -n "${TESTS:-}" ]; then
		(cd "$d" && make "$@" TESTS="$TESTS")
	else
		(cd "$d" && make "$@")
	fi
}
# the results of an earlier run must not be counted for this one: a test
# whose program fails to build now leaves no result, not an old one
clean_results() {	# clean_results DIR
	check "$1" -s list-tests >"$1/tests.list" || return 1
	while read -r t; do
		b=$(result_base "$t")
		rm -f "$1/$b.trs" "$1/$b.log"
	done <"$1/tests.list"
}
result_base() {	# automake's name for a test's .log and .trs, less the suffix
	case $1 in
	*.xml|*.sh) echo "${1%.*}" ;;
	*) echo "$1" ;;
	esac
}

status=0 distcheck_failed=0
{ autoreconf -fi && ./configure -q && make -j2; } >build.log 2>&1 ||
	{ tail -40 build.log; echo "0 passed, 1 failed"; exit 1; }
clean_results . || { echo "make list-tests failed"; echo "0 passed, 1 failed"; exit 1; }
check . -j2 check >check.log 2>&1 || status=1
# distcheck proves the distribution builds, installs and finds its files
# in a VPATH build: it runs the programs and scripts (unit, fuzz, meta)
# and, of the cases, for each file of the source or build tree that a
# case names (%SRCDIR/..., %BUILDDIR/...), the first case naming it. The
# sanitizer pass below runs every case from the distributed files too,
# so a file missing from the distribution still fails a case there.
vpath_tests() {	# vpath_tests LISTFILE
	grep -v '^tests/cases/' "$1"
	grep -o '%\(SRCDIR\|BUILDDIR\)[^ "<>;)]*' $(grep '^tests/cases/' "$1") |
		awk -F: '!($2 in seen) { seen[$2] = 1; print $1 }' | sort -u
}
if [ -n "${DISTCHECK:-}" ]; then
	dc_tests=${TESTS:-$(vpath_tests tests.list | tr '\n' ' ')}
	make -j2 distcheck TESTS="$dc_tests" >distcheck.log 2>&1 ||
		{ tail -30 distcheck.log; echo "FAILED: make distcheck"; distcheck_failed=1; }
fi

# the sanitizer build: from the distributed files (the source tree is
# configured in-tree, so it cannot host a VPATH build), its own make check
san_dir=build-asan/$(sed -n 's/^PACKAGE_TARNAME = //p' Makefile)-$(sed -n 's/^PACKAGE_VERSION = //p' Makefile)
san_failed=0
if [ -n "${SANITIZE:-}" ]; then
	rm -rf build-asan && mkdir build-asan
	# make distdir into build-asan/, not make dist: that would first remove
	# a failed distcheck's tree, and its logs with it
	{ make distdir distdir="$san_dir" &&
		cd "$san_dir" && ./configure -q --enable-sanitizers && make -j2; } \
		>build-asan/build.log 2>&1 ||
		{ tail -30 build-asan/build.log; echo "FAILED: sanitizer build"; san_failed=1; }
	cd "$top" || exit 1
	if [ "$san_failed" = 0 ]; then
		clean_results "$san_dir" || { echo "FAILED: asan: make list-tests"; san_failed=1; }
	fi
	if [ "$san_failed" = 0 ]; then
		check "$san_dir" -j2 check >build-asan/check.log 2>&1 || status=1
	fi
fi

# per-test results from automake's .trs files, one for each test listed
# in DIR/tests.list; LABEL prefixes the names
pass=0 fail=0 skip=0
count() {	# count DIR LABEL
	p=0 f=0 s=0
	while read -r t; do
		b=$(result_base "$t")
		if [ -f "$1/$b.trs" ]; then
			r=$(sed -n 's/^:test-result: //p' "$1/$b.trs")
		else
			r=NONE
		fi
		case "$r" in
		PASS|XFAIL) p=$((p + 1)) ;;
		SKIP) s=$((s + 1)) ;;
		NONE) f=$((f + 1))
			echo "FAILED: $2$b: no result (not built, or make check stopped first)" ;;
		*) f=$((f + 1)); echo "FAILED: $2$b"; tail -30 "$1/$b.log"
			# a sanitizer report may be further up: its first 40 lines
			awk '/==[0-9]+==ERROR: (Address|Leak)Sanitizer|: runtime error: / { n = 40 }
				n > 0 { print; if (--n == 0) exit }' "$1/$b.log" ;;
		esac
	done <"$1/tests.list"
	[ $((p + f)) -gt 0 ] || { f=1; echo "FAILED: $2no test ran"; }
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
}
count . ""
if [ -n "${SANITIZE:-}" ] && [ "$san_failed" = 0 ]; then
	plain_pass=$pass plain_fail=$fail plain_skip=$skip
	count "$san_dir" "asan: "
	echo "asan: $((pass - plain_pass)) passed, $((fail - plain_fail)) failed," \
		"$((skip - plain_skip)) skipped (sanitizer build, $san_dir)"
fi
fail=$((fail + distcheck_failed + san_failed))
[ "$fail" -gt 0 ] && status=1
[ "$skip" -gt 0 ] && echo "$skip skipped (a peer they need is missing, no Check for the unit tests, or left out by keyword)"
echo "$pass passed, $fail failed"
exit $status
