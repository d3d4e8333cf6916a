// OpenSSL (Debian's libssl-dev, OpenSSL 3) for the TLS module, plus the few calls
// Swift cannot make because OpenSSL defines them as macros.
#ifndef CIFT_TLS_H
#define CIFT_TLS_H

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/// TLS 1.2 minimum, TLS 1.3 maximum; renegotiation and compression off; the
/// server's cipher order. Returns 1 on success.
int cift_tls_context_policy(SSL_CTX *context);

/// XN_FLAG_RFC2253 (a macro of macros): the subject as `CN=…,O=…`.
unsigned long cift_tls_rfc2253_flags(void);

/// Frees memory OpenSSL allocated for the caller (OPENSSL_free).
void cift_tls_free(void *pointer);

/// 1 when the certificate's notAfter is in the past, 0 when not, -1 on error.
int cift_tls_certificate_expired(X509 *certificate);

/// 1 when the certificate's notBefore is in the future, 0 when not, -1 on error.
int cift_tls_certificate_not_yet_valid(X509 *certificate);

/// What this thread asked of OpenSSL's memory functions (cift_tls_memory.c): small
/// blocks requested, how many came from the thread's cache, how many from libc.
struct cift_tls_memory_stats {
    unsigned long long requests;
    unsigned long long cache_hits;
    unsigned long long libc_allocations;
};

/// 1 when OpenSSL's memory functions are the gateway's (installed when the library
/// loads, before OpenSSL allocates); 0 when OpenSSL refused (it had allocated already).
int cift_tls_memory_installed(void);

/// The calling thread's counts since it started.
struct cift_tls_memory_stats cift_tls_memory_thread_stats(void);

#endif
