"""One single-producer/single-consumer ring in a shared file (specs/shm-ring.md).

A process attaches to a ring in one role: the producer (``try_publish``, ``publish``)
or the consumer (``poll``, ``consume``). Each index is written by one side only and
read by the other, always with one aligned 8-byte access through
``ctypes.c_uint64.from_buffer(mmap, offset)``.

Memory ordering: the producer writes the slot, then stores the tail; the consumer
loads the tail, then reads the slot, then stores the head. On x86-64 every store is a
release and every load an acquire, so the plain ctypes accesses give exactly the
orders the spec asks for. On aarch64 a plain store is not a release and CPython has
no fence: the sequence check in bytes 0–7 (a slot whose sequence is not ``head + 1`` is
never interpreted) catches a slot whose first bytes are not yet visible, but not one
whose later bytes lag behind the tail. A barrier from a small C helper would close
that; there is none yet.
"""

from __future__ import annotations

import ctypes
import mmap
import os
import struct
import time
from typing import Iterable, Optional

from . import layout
from .layout import RingKind


class RingLayoutError(Exception):
    """A ring file whose header does not match specs/shm-ring.md; names the field."""

    def __init__(self, path: str, field: str, found: object, expected: object) -> None:
        super().__init__(f"{path}: header field '{field}' is {found!r}, expected {expected!r}")
        self.path = path
        self.field = field
        self.found = found
        self.expected = expected


class RingFullError(Exception):
    """The ring stayed full until the timeout passed; nothing was published."""


_U64 = struct.Struct("<Q")
_HEADER_FIELDS = struct.Struct("<8sIIQII")  # magic, version, record size, capacity, kind, header size


def _is_power_of_two(value: int) -> bool:
    return value > 0 and value & (value - 1) == 0


class SharedMemoryRing:
    """A ring file mapped into this process.

    Build one with :meth:`attach` (the normal case: the gateway made the file) or
    :meth:`create` (tests and tools that play the gateway).
    """

    def __init__(self, path: str, mapping: mmap.mmap, kind: RingKind, capacity: int) -> None:
        """Use :meth:`attach` or :meth:`create`; this takes an already checked mapping."""
        self.path = path
        self.kind = kind
        self.capacity = capacity
        self._mask = capacity - 1
        self._map: Optional[mmap.mmap] = mapping
        # One aligned 8-byte word each; the mapping is page-aligned and the offsets are
        # multiples of 128.
        self._tail = ctypes.c_uint64.from_buffer(mapping, layout.PRODUCER_INDEX_OFFSET)
        self._head = ctypes.c_uint64.from_buffer(mapping, layout.CONSUMER_INDEX_OFFSET)
        self._overflow = ctypes.c_uint64.from_buffer(mapping, layout.OVERFLOW_COUNT_OFFSET)
        # Producer's view: the tail it owns and the last head it loaded (Agrona's cached
        # head: the real head is loaded only when the cached one says full).
        self._cached_head = self._head.value

    # --- opening and closing ------------------------------------------------------

    @classmethod
    def attach(cls, path: str, kind: RingKind, capacity: Optional[int] = None) -> "SharedMemoryRing":
        """Map an existing ring file and check every header field.

        ``kind`` is the ring this process expects (signals or fills); ``capacity``, when
        given, must match too. Raises :class:`RingLayoutError` naming the first field
        that differs, and ``OSError`` when the file cannot be opened.
        Corresponds to open(2) + mmap(2) with MAP_SHARED.
        """
        fd = os.open(path, os.O_RDWR | os.O_CLOEXEC)
        try:
            size = os.fstat(fd).st_size
            if size < layout.HEADER_SIZE:
                raise RingLayoutError(path, "file size", size, f">= {layout.HEADER_SIZE}")
            header = os.pread(fd, _HEADER_FIELDS.size, 0)
            magic, version, record_size, found_capacity, found_kind, header_size = _HEADER_FIELDS.unpack(header)
            checks = (
                ("magic", magic, layout.MAGIC),
                ("version", version, layout.VERSION),
                ("record size", record_size, layout.RECORD_SIZE),
                ("ring kind", found_kind, int(kind)),
                ("header size", header_size, layout.HEADER_SIZE),
            )
            for field, found, expected in checks:
                if found != expected:
                    raise RingLayoutError(path, field, found, expected)
            if not _is_power_of_two(found_capacity):
                raise RingLayoutError(path, "capacity", found_capacity, "a power of two")
            if capacity is not None and found_capacity != capacity:
                raise RingLayoutError(path, "capacity", found_capacity, capacity)
            if size != layout.file_size(found_capacity):
                raise RingLayoutError(path, "file size", size, layout.file_size(found_capacity))
            mapping = mmap.mmap(fd, size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
        finally:
            os.close(fd)
        return cls(path, mapping, RingKind(kind), found_capacity)

    @classmethod
    def create(cls, path: str, kind: RingKind, capacity: int) -> "SharedMemoryRing":
        """Make a new ring file (mode 0600, header written, indices 0) and attach to it.

        The gateway normally creates both files; this is for tests and tools that play
        its part. Fails with ``FileExistsError`` if ``path`` exists.
        """
        if not _is_power_of_two(capacity):
            raise ValueError(f"capacity must be a power of two, got {capacity}")
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        try:
            os.ftruncate(fd, layout.file_size(capacity))
            header = _HEADER_FIELDS.pack(
                layout.MAGIC, layout.VERSION, layout.RECORD_SIZE, capacity, int(kind), layout.HEADER_SIZE
            )
            os.pwrite(fd, header, 0)
        finally:
            os.close(fd)
        return cls.attach(path, kind, capacity)

    def close(self) -> None:
        """Unmap the file. The ring object is unusable afterwards."""
        if self._map is None:
            return
        # The ctypes views hold exports of the mapping; drop them before closing it.
        del self._tail, self._head, self._overflow
        self._map.close()
        self._map = None

    def __enter__(self) -> "SharedMemoryRing":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- indices ------------------------------------------------------------------

    @property
    def tail(self) -> int:
        """The producer index: records ever published (one aligned 8-byte load)."""
        return self._tail.value

    @property
    def head(self) -> int:
        """The consumer index: records ever consumed (one aligned 8-byte load)."""
        return self._head.value

    @property
    def overflow_count(self) -> int:
        """Header offset 32: records the gateway dropped because the fills ring was full."""
        return self._overflow.value

    def header_bytes(self) -> bytes:
        """A copy of the 384-byte header."""
        assert self._map is not None
        return self._map[: layout.HEADER_SIZE]

    # --- producer -----------------------------------------------------------------

    def _slot_offset(self, index: int) -> int:
        return layout.SLOTS_OFFSET + (index & self._mask) * layout.RECORD_SIZE

    def _write_slot(self, index: int, record: bytes) -> None:
        """Publishing step 2: write record ``index`` into its slot with bytes 0–7 =
        ``index + 1``. Not visible to the consumer until :meth:`_store_tail`."""
        assert self._map is not None
        offset = self._slot_offset(index)
        self._map[offset + 8 : offset + layout.RECORD_SIZE] = record[8:]
        _U64.pack_into(self._map, offset, index + 1)

    def _store_tail(self, tail: int) -> None:
        """Publishing step 3: one aligned 8-byte store of the tail (a release on x86-64,
        so the slot's bytes are visible before it)."""
        self._tail.value = tail

    def _room(self, tail: int, wanted: int) -> int:
        """How many of ``wanted`` records fit now; loads the real head only when the
        cached one says there is not enough room (publishing step 1)."""
        free = self.capacity - (tail - self._cached_head)
        if free < wanted:
            self._cached_head = self._head.value  # acquire: the consumer is done with those slots
            free = self.capacity - (tail - self._cached_head)
        return min(free, wanted)

    @staticmethod
    def _check_record(record: bytes) -> None:
        if len(record) != layout.RECORD_SIZE:
            raise ValueError(f"a record is {layout.RECORD_SIZE} bytes, got {len(record)}")

    def try_publish(self, record: bytes) -> Optional[int]:
        """Publish one 64-byte record if there is room.

        Bytes 0–7 of ``record`` are ignored: the ring writes the sequence number there.
        Returns the record's sequence number (tail + 1), or None when the ring is full
        (back-pressure is a value; nothing was written).
        """
        self._check_record(record)
        tail = self._tail.value  # ours: only this process stores it
        if self._room(tail, 1) < 1:
            return None
        self._write_slot(tail, record)
        self._store_tail(tail + 1)
        return tail + 1

    def try_publish_many(self, records: list[bytes]) -> int:
        """Publish as many of ``records`` as fit, in order, with one tail store for all.

        Returns how many were published (0 when the ring is full); their sequence numbers
        are the old tail + 1 onwards.
        """
        for record in records:
            self._check_record(record)
        tail = self._tail.value
        count = self._room(tail, len(records))
        for i in range(count):
            self._write_slot(tail + i, records[i])
        if count:
            self._store_tail(tail + count)
        return count

    def publish(self, record: bytes, timeout: Optional[float] = 1.0) -> int:
        """Publish one record, waiting for room.

        Looks at the head every 50 µs while the ring is full; raises
        :class:`RingFullError` when ``timeout`` seconds pass (``timeout=0`` raises at
        once when full; ``None`` waits for as long as it takes). Returns the record's
        sequence number.
        """
        sequence = self.try_publish(record)
        if sequence is not None:
            return sequence
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            if deadline is not None and time.monotonic() >= deadline:
                raise RingFullError(
                    f"{self.path}: ring full ({self.capacity} records unconsumed) for {timeout} s"
                )
            time.sleep(layout.FULL_RING_POLL_SECONDS)
            sequence = self.try_publish(record)
            if sequence is not None:
                return sequence

    def publish_many(self, records: Iterable[bytes], timeout: Optional[float] = 1.0) -> int:
        """Publish every record in order, waiting for room as :meth:`publish` does.

        ``timeout`` bounds the whole batch. On :class:`RingFullError` the records before
        the failing one are published (the error's ``published`` attribute counts them).
        Returns the sequence number of the first record (or the next one, for an empty
        batch).
        """
        pending = list(records)
        first = self._tail.value + 1
        done = 0
        deadline = None if timeout is None else time.monotonic() + timeout
        while done < len(pending):
            done += self.try_publish_many(pending[done:])
            if done == len(pending):
                break
            if deadline is not None and time.monotonic() >= deadline:
                error = RingFullError(
                    f"{self.path}: ring full after {done} of {len(pending)} records for {timeout} s"
                )
                error.published = done  # type: ignore[attr-defined]
                raise error
            time.sleep(layout.FULL_RING_POLL_SECONDS)
        return first

    # --- consumer -----------------------------------------------------------------

    def poll(self) -> Optional[bytes]:
        """The next whole record (a 64-byte copy), or None.

        None when nothing is published, or when the slot at the head does not carry
        sequence ``head + 1`` (a slot not fully written, or written past a full ring):
        the consumer stops there and looks again later. Does not advance the head; call
        :meth:`consume` once the record is handled.
        """
        assert self._map is not None
        head = self._head.value  # ours: only this process stores it
        if head >= self._tail.value:  # acquire: slots below the tail are whole
            return None
        offset = self._slot_offset(head)
        (sequence,) = _U64.unpack_from(self._map, offset)
        if sequence != head + 1:
            return None
        return self._map[offset : offset + layout.RECORD_SIZE]

    def consume(self) -> None:
        """Consuming step 3: store ``head + 1`` (one aligned 8-byte store, a release), so
        the producer may reuse the slot. Call only after :meth:`poll` returned a record."""
        head = self._head.value
        if head >= self._tail.value:
            raise RuntimeError(f"{self.path}: consume() with nothing published at head {head}")
        self._head.value = head + 1
