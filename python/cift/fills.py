"""The fills ring, gateway → Python: acknowledgements, rejections, orders, fills and
positions (specs/shm-ring.md, "Fills ring records").

:class:`FillReader` is the ring's one consumer in this process. The ``encode_*``
functions write records as the gateway does; tests and tools use them to play its part.
"""

from __future__ import annotations

import struct
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterator, Optional, Union

from . import layout
from .layout import FillsRecordKind, Liquidity, RingKind, Side
from .ring import SharedMemoryRing
from .signals import decode_name, encode_name, from_fixed4

# Kinds 1 and 2: seq, kind, signals record kind, reason (0 for 1), 28 zero, signals seq, tag, time
_ANSWER = struct.Struct("<QBBH28xQQQ")
# Kind 3: seq, kind, zero, side, zero, model id, symbol, quantity, price, order reference, tag, time
_ORDER = struct.Struct("<QBxBxI8sqqQQQ")
# Kind 4: seq, kind, zero, side, liquidity, 4 zero, symbol, quantity, price, match number, tag, time
_FILL = struct.Struct("<QBxBB4x8sqqQQQ")
# Kind 5: seq, kind, 7 zero, symbol, position, average price, 8 zero, tag, time
_POSITION = struct.Struct("<QB7x8sqq8xQQ")
assert all(s.size == layout.RECORD_SIZE for s in (_ANSWER, _ORDER, _FILL, _POSITION))


@dataclass(frozen=True)
class Acknowledgement:
    """Kind 1: the signals record ``signal_sequence`` (of kind ``record_kind``) was applied."""

    sequence: int
    record_kind: int  # a SignalsRecordKind value
    signal_sequence: int
    tag: int
    time_ns: int


@dataclass(frozen=True)
class Rejection:
    """Kind 2: the signals record ``signal_sequence`` was refused for ``reason``."""

    sequence: int
    record_kind: int  # a SignalsRecordKind value
    reason: int
    signal_sequence: int
    tag: int
    time_ns: int

    @property
    def reason_name(self) -> str:
        """The reason as words ("unknown symbol", "stale", ...)."""
        return layout.reject_reason_name(self.reason)


@dataclass(frozen=True)
class OrderCreated:
    """Kind 3: a signal produced an order the engine accepted."""

    sequence: int
    side: Side
    model_id: int
    symbol: str
    quantity: int
    price: int  # 4 implied decimals
    order_reference: int
    tag: int
    time_ns: int

    @property
    def price_decimal(self) -> Decimal:
        """``price`` as a Decimal."""
        return from_fixed4(self.price)


@dataclass(frozen=True)
class Fill:
    """Kind 4: an execution of the strategy account."""

    sequence: int
    side: Side
    liquidity: Liquidity
    symbol: str
    quantity: int
    price: int  # 4 implied decimals
    match_number: int
    tag: int
    time_ns: int

    @property
    def price_decimal(self) -> Decimal:
        """``price`` as a Decimal."""
        return from_fixed4(self.price)


@dataclass(frozen=True)
class PositionUpdate:
    """Kind 5: the strategy account's position in ``symbol`` after a fill."""

    sequence: int
    symbol: str
    position: int  # signed shares
    average_price: int  # 4 implied decimals; 0 when flat
    tag: int
    time_ns: int

    @property
    def average_price_decimal(self) -> Decimal:
        """``average_price`` as a Decimal."""
        return from_fixed4(self.average_price)


@dataclass(frozen=True)
class UnknownFillsRecord:
    """A record of a kind this package does not know (a newer gateway); kept whole."""

    sequence: int
    kind: int
    raw: bytes


FillsRecord = Union[Acknowledgement, Rejection, OrderCreated, Fill, PositionUpdate, UnknownFillsRecord]


def decode_fills_record(record: bytes) -> FillsRecord:
    """A 64-byte fills-ring record as a typed value."""
    if len(record) != layout.RECORD_SIZE:
        raise ValueError(f"a record is {layout.RECORD_SIZE} bytes, got {len(record)}")
    kind = record[layout.RECORD_KIND_OFFSET]
    if kind == FillsRecordKind.ACKNOWLEDGEMENT:
        seq, _, record_kind, _, signal_seq, tag, at = _ANSWER.unpack(record)
        return Acknowledgement(seq, record_kind, signal_seq, tag, at)
    if kind == FillsRecordKind.REJECTION:
        seq, _, record_kind, reason, signal_seq, tag, at = _ANSWER.unpack(record)
        return Rejection(seq, record_kind, reason, signal_seq, tag, at)
    if kind == FillsRecordKind.ORDER:
        seq, _, side, model, symbol, qty, price, reference, tag, at = _ORDER.unpack(record)
        return OrderCreated(seq, Side(side), model, decode_name(symbol), qty, price, reference, tag, at)
    if kind == FillsRecordKind.FILL:
        seq, _, side, liquidity, symbol, qty, price, match, tag, at = _FILL.unpack(record)
        return Fill(seq, Side(side), Liquidity(liquidity), decode_name(symbol), qty, price, match, tag, at)
    if kind == FillsRecordKind.POSITION:
        seq, _, symbol, position, average, tag, at = _POSITION.unpack(record)
        return PositionUpdate(seq, decode_name(symbol), position, average, tag, at)
    (seq,) = struct.unpack_from("<Q", record, 0)
    return UnknownFillsRecord(seq, kind, bytes(record))


def encode_fills_record(record: FillsRecord) -> bytes:
    """The 64 bytes the gateway writes for ``record`` (bytes 0–7 = its ``sequence``)."""
    if isinstance(record, Acknowledgement):
        return _ANSWER.pack(record.sequence, FillsRecordKind.ACKNOWLEDGEMENT, record.record_kind, 0,
                            record.signal_sequence, record.tag, record.time_ns)
    if isinstance(record, Rejection):
        return _ANSWER.pack(record.sequence, FillsRecordKind.REJECTION, record.record_kind, record.reason,
                            record.signal_sequence, record.tag, record.time_ns)
    if isinstance(record, OrderCreated):
        return _ORDER.pack(record.sequence, FillsRecordKind.ORDER, record.side, record.model_id,
                           encode_name(record.symbol, "symbol"), record.quantity, record.price,
                           record.order_reference, record.tag, record.time_ns)
    if isinstance(record, Fill):
        return _FILL.pack(record.sequence, FillsRecordKind.FILL, record.side, record.liquidity,
                          encode_name(record.symbol, "symbol"), record.quantity, record.price,
                          record.match_number, record.tag, record.time_ns)
    if isinstance(record, PositionUpdate):
        return _POSITION.pack(record.sequence, FillsRecordKind.POSITION, encode_name(record.symbol, "symbol"),
                              record.position, record.average_price, record.tag, record.time_ns)
    if isinstance(record, UnknownFillsRecord):
        return record.raw
    raise TypeError(f"not a fills record: {type(record).__name__}")


class FillReader:
    """The consumer of the fills ring: typed records in the order the gateway wrote them."""

    def __init__(self, ring: SharedMemoryRing) -> None:
        """``ring`` is the attached fills ring."""
        if ring.kind is not RingKind.FILLS:
            raise ValueError(f"{ring.path} is a {ring.kind.name.lower()} ring, not a fills ring")
        self.ring = ring

    @classmethod
    def open(cls, path: str = layout.DEFAULT_FILLS_PATH) -> "FillReader":
        """Attach to the fills ring the gateway created at ``path``."""
        return cls(SharedMemoryRing.attach(path, RingKind.FILLS))

    def close(self) -> None:
        """Unmap the ring."""
        self.ring.close()

    def __enter__(self) -> "FillReader":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def overflow_count(self) -> int:
        """Records the gateway dropped because this reader fell behind (header offset 32).
        A value that grew since the last look means records were missed."""
        return self.ring.overflow_count

    def poll(self) -> Optional[FillsRecord]:
        """The next record, consumed (the gateway may reuse its slot), or None when
        nothing whole is published."""
        raw = self.ring.poll()
        if raw is None:
            return None
        record = decode_fills_record(raw)  # a copy: safe to release the slot now
        self.ring.consume()
        return record

    def drain(self, max_records: Optional[int] = None) -> list[FillsRecord]:
        """Every record published so far (at most ``max_records``), consumed, in order."""
        records: list[FillsRecord] = []
        while max_records is None or len(records) < max_records:
            record = self.poll()
            if record is None:
                break
            records.append(record)
        return records

    def records(self, timeout: Optional[float] = None, idle_sleep: float = layout.FULL_RING_POLL_SECONDS
                ) -> Iterator[FillsRecord]:
        """Yield records as they arrive, sleeping ``idle_sleep`` seconds when there are
        none; stops once ``timeout`` seconds pass without a record (None: never)."""
        last = time.monotonic()
        while True:
            record = self.poll()
            if record is not None:
                last = time.monotonic()
                yield record
                continue
            if timeout is not None and time.monotonic() - last >= timeout:
                return
            time.sleep(idle_sleep)

    def __iter__(self) -> Iterator[FillsRecord]:
        """The records available now, consumed as they are yielded (does not wait)."""
        while True:
            record = self.poll()
            if record is None:
                return
            yield record


__all__ = [
    "Acknowledgement", "Rejection", "OrderCreated", "Fill", "PositionUpdate", "UnknownFillsRecord",
    "FillsRecord", "FillReader", "decode_fills_record", "encode_fills_record",
]
