#!/usr/bin/env bash
# Makes a throw-away PKI for trying TLS and for the tests, in the directory given
# (default ./var/tls): a CA, a server certificate for 127.0.0.1/localhost signed by it,
# client certificates CLIENT1 and CLIENT2 signed by it, a second CA with a client of
# its own (a certificate the gateway must refuse), and an expired server certificate.
# Never use these for anything real: the keys sit next to the certificates, unencrypted.
set -euo pipefail
dir=${1:-./var/tls}
mkdir -p "$dir"
cd "$dir"
days=3650

ca() {  # name subject
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.pem" -days $days -subj "$2" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
}
leaf() {  # name subject ca extensions
    openssl req -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" -subj "$2" 2>/dev/null
    printf '%s\n' "$4" > "$1.ext"
    openssl x509 -req -in "$1.csr" -CA "$3.pem" -CAkey "$3.key" -CAcreateserial -out "$1.pem" -days $days \
        -extfile "$1.ext" 2>/dev/null
    rm -f "$1.csr" "$1.ext"
}

ca ca "/O=CIFT test/CN=CIFT test CA"
leaf server "/O=CIFT test/CN=localhost" ca "subjectAltName=IP:127.0.0.1,DNS:localhost
extendedKeyUsage=serverAuth"
leaf client1 "/O=CIFT test/CN=CLIENT1" ca "extendedKeyUsage=clientAuth"
leaf client2 "/O=CIFT test/CN=CLIENT2" ca "extendedKeyUsage=clientAuth"
ca other-ca "/O=Somebody else/CN=Other CA"
leaf other-client "/O=Somebody else/CN=CLIENT1" other-ca "extendedKeyUsage=clientAuth"

# An expired server certificate: `openssl ca` takes explicit start and end dates.
mkdir -p expired-ca/newcerts
: > expired-ca/index.txt
echo 01 > expired-ca/serial
cat > expired-ca/ca.cnf <<CNF
[ca]
default_ca = expired
[expired]
dir = expired-ca
database = expired-ca/index.txt
new_certs_dir = expired-ca/newcerts
serial = expired-ca/serial
default_md = sha256
policy = anything
[anything]
commonName = supplied
CNF
openssl req -newkey rsa:2048 -nodes -keyout expired.key -out expired.csr -subj "/CN=expired" 2>/dev/null
openssl ca -batch -config expired-ca/ca.cnf -cert ca.pem -keyfile ca.key -in expired.csr -out expired.pem \
    -startdate 20200101000000Z -enddate 20200102000000Z -notext 2>/dev/null
rm -rf expired.csr expired-ca
echo "certificates in $dir: ca.pem, server.pem/.key, client1.pem/.key, client2.pem/.key, other-ca.pem, other-client.pem/.key, expired.pem/.key"
