/// Files of the gateway's repository the targets read (the venue's FIX dictionary).
/// Found from this source file's place (fuzz/Sources/FuzzSupport/), or from
/// `CIFT_REPOSITORY` when the binaries run away from their checkout.
public enum FuzzPaths {
    public static var repositoryRoot: String {
        if let root = getenv("CIFT_REPOSITORY") { return String(cString: root) }
        var parts = String(#filePath).split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(4)  // FuzzPaths.swift, FuzzSupport, Sources, fuzz
        return parts.joined(separator: "/")
    }

    public static var fixDictionary: String { repositoryRoot + "/fix-dictionaries/FIX44.xml" }
}

#if canImport(Glibc)
import Glibc
#endif

/// `CIFT_FUZZ_VERBOSE=1`: the session targets print what the gateway answers, to see
/// how far a seed or a crashing input gets (running one input: `Target FILE`).
public let fuzzVerbose = getenv("CIFT_FUZZ_VERBOSE") != nil
