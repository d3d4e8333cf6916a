/// What a TLS listener needs: its certificate and key, and optionally a CA whose
/// client certificates it requires (mutual TLS).
public struct TLSConfiguration: Sendable, Equatable {
    /// PEM certificate (chain) presented to clients.
    public var certificatePath: String
    /// PEM private key of the certificate.
    public var privateKeyPath: String
    /// PEM CA certificate(s): when set, clients must present a certificate it signed.
    public var clientCAPath: String?
    /// TLS 1.2 cipher list (OpenSSL syntax). The default keeps forward-secret AEAD only.
    public var cipherList: String
    /// TLS 1.3 cipher suites (OpenSSL syntax).
    public var cipherSuites: String

    public static let defaultCipherList = "ECDHE+AESGCM:ECDHE+CHACHA20:!aNULL:!eNULL:!SHA1"
    public static let defaultCipherSuites = "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256"

    public init(certificatePath: String, privateKeyPath: String, clientCAPath: String? = nil,
                cipherList: String = defaultCipherList, cipherSuites: String = defaultCipherSuites) {
        self.certificatePath = certificatePath
        self.privateKeyPath = privateKeyPath
        self.clientCAPath = clientCAPath
        self.cipherList = cipherList
        self.cipherSuites = cipherSuites
    }
}
