# The test stack's private CA and certificates (sourced by scripts/kafka.sh and scripts/services.sh
# after lib/stack.sh). Made with openssl into .cache/tls on the first start; throw-away, for
# 127.0.0.1 only. EC P-256 keys: quick to make, and both Java and Node take them as PKCS#8 PEM.

TLS_DIR="$STACK_CACHE/tls"
TLS_CA="$TLS_DIR/ca.pem"                        # the CA clients trust (ssl.ca.location)
TLS_OTHER_CA="$TLS_DIR/other-ca.pem"            # an unrelated CA, for the "wrong CA" case
TLS_BROKER="$TLS_DIR/broker.pem"                # key + chain, SAN IP:127.0.0.1 and DNS:localhost
TLS_WRONG_HOST="$TLS_DIR/wrong-host.pem"        # key + chain for a host that is not this one
TLS_CLIENT_CERT="$TLS_DIR/client.crt"           # signed by the CA, for the mTLS listener
TLS_CLIENT_KEY="$TLS_DIR/client.key"            # unencrypted PKCS#8
TLS_CLIENT_KEY_ENCRYPTED="$TLS_DIR/client-encrypted.key" # the same key under KAFKA_CLIENT_KEY_PASSWORD
KAFKA_CLIENT_KEY_PASSWORD=winetui-key-secret

# A CA: $1 = file stem, $2 = subject CN.
tls_ca() {
  openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
    -keyout "$1.key" -out "$1.pem" -subj "/CN=$2" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
}

# A certificate signed by the CA in $dir: $1 = file stem, $2 = CN, $3 = extensions.
tls_leaf() {
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$1.key" -out "$1.csr" -subj "/CN=$2"
  printf '%b\n' "$3" >"$1.ext"
  openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 3650 \
    -extfile "$1.ext" -out "$1.crt"
  rm -f "$1.csr" "$1.ext"
}

# Makes the files above unless they are there; atomic, so an interrupted run leaves nothing half-made.
ensure_tls() {
  [[ -f $TLS_DIR/.complete ]] && return 0
  need openssl
  log "making a private CA and certificates in $TLS_DIR (first run only)"
  local tmp="$TLS_DIR.partial"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  if ! (cd "$tmp" && quietly tls_ca ca 'wine-tui test CA' &&
    quietly tls_ca other-ca 'unrelated test CA' &&
    quietly tls_leaf broker localhost \
      'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth' &&
    quietly tls_leaf wrong-host kafka.wine-tui.invalid \
      'subjectAltName=DNS:kafka.wine-tui.invalid\nextendedKeyUsage=serverAuth' &&
    quietly tls_leaf client wine-tui-client 'extendedKeyUsage=clientAuth' &&
    quietly openssl pkcs8 -topk8 -v2 aes-256-cbc -in client.key -out client-encrypted.key \
      -passout "pass:$KAFKA_CLIENT_KEY_PASSWORD" &&
    # Kafka's PEM key stores: the private key, then the certificate chain.
    cat broker.key broker.crt ca.pem >broker.pem &&
    cat wrong-host.key wrong-host.crt ca.pem >wrong-host.pem &&
    rm -f other-ca.key broker.key broker.crt wrong-host.key wrong-host.crt); then
    rm -rf "$tmp"
    fail "openssl could not make the test certificates (its output is above)"
  fi
  touch "$tmp/.complete"
  rm -rf "$TLS_DIR"
  mv "$tmp" "$TLS_DIR"
}
