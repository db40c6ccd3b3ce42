#!/bin/sh
# Build sipbench and run every test; the last line says "N passed, N failed".
# As root on Debian it first installs what the build and the tests need,
# including the test peers SIPp (sip-tester) and Kamailio.
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
		libosip2-dev libxml2-dev libpcap-dev libssl-dev check python3 groff-base \
		sip-tester kamailio kamailio-tls-modules kamailio-websocket-modules openssl \
		tshark libxml2-utils iproute2 nftables iptables libnetfilter-queue-dev >/dev/null || { echo "apt-get failed"; exit 1; }
fi

status=0 distcheck_failed=0
{ autoreconf -fi && ./configure -q && make -j2; } >build.log 2>&1 ||
	{ tail -40 build.log; echo "0 passed, 1 failed"; exit 1; }
make -j2 check >check.log 2>&1 || status=1
if [ -n "${DISTCHECK:-}" ]; then
	make -j2 distcheck >distcheck.log 2>&1 ||
		{ tail -30 distcheck.log; echo "FAILED: make distcheck"; distcheck_failed=1; }
fi

# per-test results from automake's .trs files
pass=0 fail=0 skip=0
for t in $(find tests -name '*.trs'); do
	r=$(sed -n 's/^:test-result: //p' "$t")
	case "$r" in
	PASS|XFAIL) pass=$((pass + 1)) ;;
	SKIP) skip=$((skip + 1)) ;;
	*) fail=$((fail + 1)); echo "FAILED: ${t%.trs}"; tail -30 "${t%.trs}.log" ;;
	esac
done
[ $((pass + fail)) -gt 0 ] || fail=1
fail=$((fail + distcheck_failed))
[ "$fail" -gt 0 ] && status=1
[ "$skip" -gt 0 ] && echo "$skip skipped (a peer they need is missing)"
echo "$pass passed, $fail failed"
exit $status
