#!/bin/sh
# Regenerates the test CA and the certificate the HTTPS peers (Adyen) serve, valid for 127.0.0.1, ::1 and
# localhost for 100 years. Test-only: the CA's key is thrown away, so nothing else can ever be signed by it.
# Tests trust ca.pem through NODE_EXTRA_CA_CERTS (set in vitest.config.mts for the test workers).
set -eu
cd "$(dirname "$0")"
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca-key.pem -out ca.pem -days 36500 \
  -subj "/CN=checkout-recovery test peers CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
openssl req -newkey rsa:2048 -nodes -keyout peer-key.pem -out peer.csr -subj "/CN=localhost"
printf 'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' > peer.ext
openssl x509 -req -in peer.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -out peer.pem -days 36500 -extfile peer.ext
rm -f peer.csr peer.ext ca.srl ca-key.pem
