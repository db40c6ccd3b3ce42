#!/bin/sh
# Every extern symbol of the library carries a registered module prefix
# (style 8.2), so nothing collides with libosip2's own exports.
lib="${BUILDDIR:-.}/src/libsipbench.a"
[ -f "$lib" ] || { echo "no $lib: build first"; exit 77; }
prefixes='loop_|tmr_|tp_|msg_|hdr_|auth_|sdpw_|disp_|scn_|prog_|eng_|inst_|ua_|txn_|var_|stat_|hist_|rpt_|mrg_|media_|tgt_|cli_|buf_|pl_|lst_|htab_|log_|diag_|rnd_|inj_|rend_'
# (an ASan build, configure --enable-sanitizers, adds its own __odr_asan.*)
bad=$(nm -g --defined-only "$lib" | awk 'NF == 3 && $2 ~ /[TDBR]/ { print $3 }' |
	grep -vE "^($prefixes)" | grep -vE '^__(odr_)?asan')
if [ -n "$bad" ]; then
	echo "extern symbols outside the prefix registry:"
	echo "$bad"
	exit 1
fi
echo "all extern symbols are prefixed"
