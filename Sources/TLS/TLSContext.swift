import CCiftTLS
#if canImport(Glibc)
import Glibc
#endif

/// An OpenSSL context for one side of a TLS connection, with the venue's policy: TLS
/// 1.2 and 1.3 only, the configured ciphers, no renegotiation, no compression. A server
/// context loads the certificate and key (checked: readable, parseable, valid now, the
/// key matching the certificate — each failure names the file); with a client CA it
/// requires and verifies client certificates.
///
/// Immutable once built; shared by every session made from it (OpenSSL reference-
/// counts it), so a reload builds a new one and new connections use it.
public final class TLSContext: @unchecked Sendable {
    let context: OpaquePointer
    public let isServer: Bool
    public let requiresClientCertificate: Bool

    /// A server context from `configuration`.
    public init(server configuration: TLSConfiguration) throws(TLSError) {
        guard let context = SSL_CTX_new(TLS_server_method()) else { throw TLSError("SSL_CTX_new failed: \(Self.lastError())") }
        self.context = context
        isServer = true
        requiresClientCertificate = configuration.clientCAPath != nil
        try applyPolicy(cipherList: configuration.cipherList, cipherSuites: configuration.cipherSuites)
        let certificate = try Self.readCertificate(configuration.certificatePath, what: "certificate")
        defer { X509_free(certificate) }
        guard SSL_CTX_use_certificate_chain_file(context, configuration.certificatePath) == 1 else {
            throw TLSError("certificate \(configuration.certificatePath): \(Self.lastError())")
        }
        try Self.checkReadable(configuration.privateKeyPath, what: "private key")
        guard SSL_CTX_use_PrivateKey_file(context, configuration.privateKeyPath, SSL_FILETYPE_PEM) == 1 else {
            throw TLSError("private key \(configuration.privateKeyPath): \(Self.lastError())")
        }
        guard SSL_CTX_check_private_key(context) == 1 else {
            throw TLSError("private key \(configuration.privateKeyPath) does not match certificate \(configuration.certificatePath)")
        }
        if let ca = configuration.clientCAPath {
            let caCertificate = try Self.readCertificate(ca, what: "client CA")
            X509_free(caCertificate)
            guard SSL_CTX_load_verify_locations(context, ca, nil) == 1 else {
                throw TLSError("client CA \(ca): \(Self.lastError())")
            }
            SSL_CTX_set_verify(context, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nil)
        }
    }

    /// A client context (the tests' and the perf harness's side): verifies the server
    /// against `trustedCAPath`, and presents a certificate when one is given.
    public init(clientTrusting trustedCAPath: String, certificatePath: String? = nil, privateKeyPath: String? = nil)
        throws(TLSError)
    {
        guard let context = SSL_CTX_new(TLS_client_method()) else { throw TLSError("SSL_CTX_new failed: \(Self.lastError())") }
        self.context = context
        isServer = false
        requiresClientCertificate = false
        try applyPolicy(cipherList: TLSConfiguration.defaultCipherList, cipherSuites: TLSConfiguration.defaultCipherSuites)
        guard SSL_CTX_load_verify_locations(context, trustedCAPath, nil) == 1 else {
            throw TLSError("CA \(trustedCAPath): \(Self.lastError())")
        }
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        if let certificatePath, let privateKeyPath {
            guard SSL_CTX_use_certificate_chain_file(context, certificatePath) == 1,
                  SSL_CTX_use_PrivateKey_file(context, privateKeyPath, SSL_FILETYPE_PEM) == 1
            else { throw TLSError("client certificate \(certificatePath): \(Self.lastError())") }
        }
    }

    deinit { SSL_CTX_free(context) }

    private func applyPolicy(cipherList: String, cipherSuites: String) throws(TLSError) {
        guard cift_tls_context_policy(context) == 1 else { throw TLSError("protocol versions: \(Self.lastError())") }
        guard SSL_CTX_set_cipher_list(context, cipherList) == 1 else {
            throw TLSError("cipher list \"\(cipherList)\": \(Self.lastError())")
        }
        guard SSL_CTX_set_ciphersuites(context, cipherSuites) == 1 else {
            throw TLSError("cipher suites \"\(cipherSuites)\": \(Self.lastError())")
        }
    }

    static func checkReadable(_ path: String, what: String) throws(TLSError) {
        guard access(path, R_OK) == 0 else {
            throw TLSError("\(what) \(path) cannot be read (errno \(errno))")
        }
    }

    /// Reads a PEM certificate and checks its validity period.
    static func readCertificate(_ path: String, what: String) throws(TLSError) -> OpaquePointer {
        try checkReadable(path, what: what)
        guard let file = fopen(path, "r") else { throw TLSError("\(what) \(path) cannot be opened") }
        defer { fclose(file) }
        guard let certificate = PEM_read_X509(file, nil, nil, nil) else {
            throw TLSError("\(what) \(path) is not a PEM certificate: \(lastError())")
        }
        if cift_tls_certificate_expired(certificate) == 1 {
            X509_free(certificate)
            throw TLSError("\(what) \(path) has expired")
        }
        if cift_tls_certificate_not_yet_valid(certificate) == 1 {
            X509_free(certificate)
            throw TLSError("\(what) \(path) is not valid yet")
        }
        return certificate
    }

    /// The oldest error on OpenSSL's queue, in its words (and the queue cleared).
    static func lastError() -> String {
        let code = ERR_get_error()
        ERR_clear_error()
        guard code != 0 else { return "no detail from OpenSSL" }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
