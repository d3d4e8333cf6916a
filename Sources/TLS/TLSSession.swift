import CCiftTLS

/// One TLS connection driven over memory BIOs: ciphertext from the socket goes in with
/// ``receive(_:plaintext:)``, ciphertext for the socket comes out with
/// ``drainOutput(_:)``, and OpenSSL never touches a socket — so the I/O thread makes no
/// blocking call, and the handshake, reads and writes are steps of the connection's
/// state. Used by one thread (the connection's I/O thread).
///
/// Per message after the handshake nothing here allocates: the plaintext and ciphertext
/// scratch buffers belong to the session, and OpenSSL's memory BIOs keep their buffers.
/// They are two buffers, not one: a handler answers while it still reads the plaintext it
/// was given (a reply to the first of two messages in one record), and draining the
/// reply's ciphertext must not overwrite the second message.
public final class TLSSession {
    public enum Outcome: Equatable, Sendable {
        /// The handshake is still going (output may be waiting).
        case handshaking
        /// The handshake finished with this input; plaintext may have followed.
        case established
        /// An established session took the input (and delivered what it decrypted).
        case open
        /// The peer closed the TLS session (close_notify).
        case closed
        /// A protocol or certificate failure, in OpenSSL's words: close the connection.
        case failed(String)
    }

    let ssl: OpaquePointer
    let outputBIO: OpaquePointer
    let inputBIO: OpaquePointer
    /// Where `SSL_read` puts plaintext for the `receive` callback.
    private let plaintextScratch: UnsafeMutableRawBufferPointer
    /// Where `drainOutput` takes ciphertext out of the output BIO.
    private let ciphertextScratch: UnsafeMutableRawBufferPointer
    public private(set) var isEstablished = false

    public init(context: TLSContext) throws(TLSError) {
        guard let ssl = SSL_new(context.context) else { throw TLSError("SSL_new failed: \(TLSContext.lastError())") }
        guard let input = BIO_new(BIO_s_mem()), let output = BIO_new(BIO_s_mem()) else {
            SSL_free(ssl)
            throw TLSError("BIO_new failed")
        }
        // The SSL object owns both BIOs from here (freed by SSL_free).
        SSL_set_bio(ssl, input, output)
        if context.isServer { SSL_set_accept_state(ssl) } else { SSL_set_connect_state(ssl) }
        self.ssl = ssl
        inputBIO = input
        outputBIO = output
        plaintextScratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 16 * 1024, alignment: 16)
        ciphertextScratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 16 * 1024, alignment: 16)
    }

    deinit {
        SSL_free(ssl)
        plaintextScratch.deallocate()
        ciphertextScratch.deallocate()
    }

    /// A client's first step: its ClientHello is then waiting in the output.
    public func start() -> Outcome { step() }

    /// Ciphertext from the peer: advances the handshake, or decrypts and hands every
    /// whole record's plaintext to `plaintext` (valid during the call only).
    public func receive(_ bytes: UnsafeRawBufferPointer, plaintext: (UnsafeRawBufferPointer) -> Void) -> Outcome {
        var offset = 0
        while offset < bytes.count {
            let n = BIO_write(inputBIO, bytes.baseAddress! + offset, Int32(bytes.count - offset))
            if n <= 0 { return .failed("BIO_write failed") }
            offset += Int(n)
        }
        var outcome = Outcome.open
        if !isEstablished {
            outcome = step()
            guard outcome == .established else { return outcome }
        }
        while true {
            let n = SSL_read(ssl, plaintextScratch.baseAddress, Int32(plaintextScratch.count))
            if n > 0 {
                plaintext(UnsafeRawBufferPointer(rebasing: plaintextScratch[0..<Int(n)]))
                continue
            }
            switch SSL_get_error(ssl, n) {
            case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE: return outcome
            case SSL_ERROR_ZERO_RETURN: return .closed
            default: return .failed(Self.describeFailure())
            }
        }
    }

    private func step() -> Outcome {
        let result = SSL_do_handshake(ssl)
        if result == 1 {
            isEstablished = true
            return .established
        }
        switch SSL_get_error(ssl, result) {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE: return .handshaking
        default: return .failed(Self.describeFailure())
        }
    }

    /// Encrypts `plaintext` (all of it; memory BIOs never push back). False when the
    /// session cannot write (not established, or failed).
    public func write(_ plaintext: UnsafeRawBufferPointer) -> Bool {
        guard isEstablished else { return false }
        var offset = 0
        while offset < plaintext.count {
            let n = SSL_write(ssl, plaintext.baseAddress! + offset, Int32(plaintext.count - offset))
            if n <= 0 { return false }
            offset += Int(n)
        }
        return true
    }

    /// Ciphertext waiting for the socket.
    public var hasOutput: Bool { BIO_ctrl_pending(outputBIO) > 0 }

    /// Hands every waiting byte of ciphertext to `body`, in chunks (valid during the call).
    public func drainOutput(_ body: (UnsafeRawBufferPointer) -> Void) {
        while BIO_ctrl_pending(outputBIO) > 0 {
            let n = BIO_read(outputBIO, ciphertextScratch.baseAddress, Int32(ciphertextScratch.count))
            if n <= 0 { return }
            body(UnsafeRawBufferPointer(rebasing: ciphertextScratch[0..<Int(n)]))
        }
    }

    /// Starts a TLS close (close_notify into the output).
    public func shutdown() { _ = SSL_shutdown(ssl) }

    /// The verified peer certificate's subject, RFC 2253 (`CN=client1,O=Example`); nil
    /// when the peer presented none.
    public var peerSubject: String? {
        guard let certificate = SSL_get1_peer_certificate(ssl) else { return nil }
        defer { X509_free(certificate) }
        guard let name = X509_get_subject_name(certificate), let bio = BIO_new(BIO_s_mem()) else { return nil }
        defer { BIO_free(bio) }
        guard X509_NAME_print_ex(bio, name, 0, cift_tls_rfc2253_flags()) >= 0 else { return nil }
        var text = [UInt8](repeating: 0, count: Int(BIO_ctrl_pending(bio)))
        let n = text.withUnsafeMutableBytes { BIO_read(bio, $0.baseAddress, Int32($0.count)) }
        return n > 0 ? String(decoding: text[0..<Int(n)], as: UTF8.self) : nil
    }

    /// The negotiated protocol version, e.g. "TLSv1.3".
    public var protocolVersion: String {
        guard let version = SSL_get_version(ssl) else { return "" }
        return String(validatingCString: version) ?? ""
    }

    static func describeFailure() -> String {
        let detail = TLSContext.lastError()
        return detail
    }
}
