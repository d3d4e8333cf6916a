/// Storage allocated once, when the engine is built, and never resized: the order pool,
/// the price levels and the key map live in these, so that processing a command never
/// allocates.
///
/// A thin wrapper around a pointer rather than a `ContiguousArray` on purpose: an array
/// stored in the engine pays a uniqueness check on every write and copies itself (an
/// allocation) if it is ever shared by accident; this buffer can do neither. The
/// element type must be trivial (plain integers), so nothing needs deinitializing.
///
/// Bounds are checked by `assert`, so debug builds and the tests catch an index bug;
/// release builds trust the engine's own bookkeeping, which the invariant checker
/// (OrderBook+Invariants.swift) verifies in the tests after every command.
///
/// Owned by exactly one engine, which calls ``deallocate()`` from its `deinit`. Copies
/// of the struct alias the same memory; the engine never makes any.
@usableFromInline
struct FixedBuffer<Element> {
    @usableFromInline let base: UnsafeMutablePointer<Element>
    @usableFromInline let count: Int

    @usableFromInline
    init(count: Int, repeating value: Element) {
        precondition(count >= 0, "a buffer cannot have a negative size")
        precondition(_isPOD(Element.self), "FixedBuffer holds trivial values only")
        // Allocate at least one element so that `base` is always a real allocation.
        let allocated = Swift.max(count, 1)
        base = UnsafeMutablePointer<Element>.allocate(capacity: allocated)
        base.initialize(repeating: value, count: allocated)
        self.count = count
    }

    @inlinable
    subscript(index: Int) -> Element {
        unsafeAddress {
            assert(index >= 0 && index < count, "FixedBuffer index out of range")
            return UnsafePointer(base + index)
        }
        nonmutating unsafeMutableAddress {
            assert(index >= 0 && index < count, "FixedBuffer index out of range")
            return base + index
        }
    }

    @inlinable
    subscript(index: Int32) -> Element {
        unsafeAddress {
            assert(index >= 0 && Int(index) < count, "FixedBuffer index out of range")
            return UnsafePointer(base + Int(index))
        }
        nonmutating unsafeMutableAddress {
            assert(index >= 0 && Int(index) < count, "FixedBuffer index out of range")
            return base + Int(index)
        }
    }

    /// Moves `count` elements from `source` to `destination` (positions); the ranges may overlap.
    @inlinable
    func move(from source: Int, to destination: Int, count moved: Int) {
        assert(moved >= 0 && source >= 0 && destination >= 0)
        assert(source + moved <= count && destination + moved <= count)
        if moved > 0 {
            // Trivial elements: this is a memmove, correct for overlapping ranges.
            (base + destination).update(from: base + source, count: moved)
        }
    }

    /// Frees the memory. Called once, by the owning engine's `deinit`.
    @usableFromInline
    func deallocate() {
        base.deallocate()
    }
}
