#!/bin/sh
# mkcerts.sh DIR: a test CA and two certificates it signs, for the TLS
# cases: server.pem/server.key (127.0.0.1, ::1, localhost) and
# client.pem/client.key; ca.pem is the CA. Also other-ca.pem, a CA that
# signed neither. P-256 keys, made fresh each run.
set -e
d=$1
cd "$d"
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
key ca.key
openssl req -x509 -new -key ca.key -out ca.pem -days 30 -subj /CN=sipbench-test-ca
key other-ca.key
openssl req -x509 -new -key other-ca.key -out other-ca.pem -days 30 -subj /CN=other-ca
for who in server client; do
	key $who.key
	openssl req -new -key $who.key -out $who.csr -subj /CN=$who
	printf 'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost\n' > $who.ext
	openssl x509 -req -in $who.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
		-out $who.pem -days 30 -extfile $who.ext 2>/dev/null
done
echo "certificates in $d"
