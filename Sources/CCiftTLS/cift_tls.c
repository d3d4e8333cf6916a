#include "cift_tls.h"

int cift_tls_context_policy(SSL_CTX *context) {
    if (SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION) != 1) return 0;
    if (SSL_CTX_set_max_proto_version(context, TLS1_3_VERSION) != 1) return 0;
    SSL_CTX_set_options(context, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    return 1;
}

void cift_tls_free(void *pointer) { OPENSSL_free(pointer); }

unsigned long cift_tls_rfc2253_flags(void) { return XN_FLAG_RFC2253; }

int cift_tls_certificate_expired(X509 *certificate) {
    const ASN1_TIME *not_after = X509_get0_notAfter(certificate);
    if (not_after == NULL) return -1;
    int cmp = X509_cmp_current_time(not_after);
    return cmp == 0 ? -1 : (cmp < 0 ? 1 : 0);
}

int cift_tls_certificate_not_yet_valid(X509 *certificate) {
    const ASN1_TIME *not_before = X509_get0_notBefore(certificate);
    if (not_before == NULL) return -1;
    int cmp = X509_cmp_current_time(not_before);
    return cmp == 0 ? -1 : (cmp > 0 ? 1 : 0);
}
