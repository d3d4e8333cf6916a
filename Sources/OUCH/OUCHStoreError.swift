import SequencedStore

/// An OUCH session store or its answer index failed: the one store error
/// (``SequencedStoreError``).
public typealias OUCHStoreError = SequencedStoreError
