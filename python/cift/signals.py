"""The signals ring, Python → gateway: signals, risk updates, kill switches, reference
prices (specs/shm-ring.md, "Signals ring records").

:class:`SignalWriter` is the ring's one producer in this process; :class:`RiskControl`
publishes through the same writer (two producers on one ring would break it).
"""

from __future__ import annotations

import math
import struct
import time
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Callable, Optional, Sequence, Union

from . import layout
from .layout import Limit, RingKind, Side, SignalsRecordKind, TargetType, Urgency
from .ring import SharedMemoryRing

#: A price or currency amount: converted to 4 implied decimals exactly.
PriceLike = Union[Decimal, float, int, str]

_I64_MIN, _I64_MAX = -(2**63), 2**63 - 1
_U32_MAX = 2**32 - 1
_U64_MAX = 2**64 - 1

# Offsets 0–63 of each kind; the tests check these against the spec's tables.
# Kind 1: seq, kind, target type, side, urgency, model id, symbol, target, limit price, ttl, zero, tag, created
_SIGNAL = struct.Struct("<QBBBBI8sqqIIQQ")
# Kind 2: seq, kind, limit, 6 zero, account, value, symbol, 8 zero, tag, created
_RISK_UPDATE = struct.Struct("<QBB6x8sq8s8xQQ")
# Kind 3: seq, kind, state, 6 zero, account, 24 zero, tag, created
_KILL_SWITCH = struct.Struct("<QBB6x8s24xQQ")
# Kind 4: seq, kind, 7 zero, symbol, 8 zero, price, 8 zero, tag, created
_REFERENCE_PRICE = struct.Struct("<QB7x8s8xq8xQQ")
assert all(s.size == layout.RECORD_SIZE for s in (_SIGNAL, _RISK_UPDATE, _KILL_SWITCH, _REFERENCE_PRICE))


class SignalFieldError(ValueError):
    """A field of a signals record that cannot be encoded; names the field."""

    def __init__(self, field: str, value: object, reason: str) -> None:
        super().__init__(f"{field} {value!r}: {reason}")
        self.field = field
        self.value = value


# --- field conversions ----------------------------------------------------------------


def to_fixed4(value: PriceLike, field: str = "price") -> int:
    """``value`` in 4 implied decimals, exactly (150.25 → 1,502,500).

    A float is taken as its shortest decimal form (``repr``), so 150.1 is 150.1, not
    the binary approximation. More than four decimals, NaN and infinities raise
    :class:`SignalFieldError`; nothing is rounded.
    """
    if isinstance(value, bool):
        raise SignalFieldError(field, value, "a price is a number, not a bool")
    if isinstance(value, int):
        result = value * layout.PRICE_SCALE
    else:
        if isinstance(value, float):
            if not math.isfinite(value):
                raise SignalFieldError(field, value, "not a finite number")
            exact = Decimal(repr(float(value)))  # float(): numpy scalars repr as np.float64(...)
        elif isinstance(value, Decimal):
            exact = value
        elif isinstance(value, str):
            try:
                exact = Decimal(value)
            except InvalidOperation:
                raise SignalFieldError(field, value, "not a number") from None
        else:
            if hasattr(value, "item"):  # numpy scalars: through their Python value
                return to_fixed4(value.item(), field)
            raise SignalFieldError(field, value, f"unsupported type {type(value).__name__}")
        if not exact.is_finite():
            raise SignalFieldError(field, value, "not a finite number")
        scaled = exact.scaleb(layout.PRICE_DECIMALS)
        if scaled != scaled.to_integral_value():
            raise SignalFieldError(field, value, f"more than {layout.PRICE_DECIMALS} decimals")
        result = int(scaled)
    if not _I64_MIN <= result <= _I64_MAX:
        raise SignalFieldError(field, value, "out of the i64 range")
    return result


def from_fixed4(raw: int) -> Decimal:
    """A 4-implied-decimal integer as a Decimal (1,502,500 → 150.2500)."""
    return Decimal(raw).scaleb(-layout.PRICE_DECIMALS)


def encode_name(name: str, field: str) -> bytes:
    """A symbol or account as 8 ASCII bytes, space-padded (1 to 8 printable characters)."""
    if not isinstance(name, str) or not 1 <= len(name) <= layout.NAME_SIZE:
        raise SignalFieldError(field, name, f"1 to {layout.NAME_SIZE} ASCII characters")
    if not (name.isascii() and name.isprintable()) or " " in name:
        raise SignalFieldError(field, name, "printable ASCII without spaces")
    return name.encode("ascii").ljust(layout.NAME_SIZE, b" ")


def decode_name(raw: bytes) -> str:
    """8 space-padded ASCII bytes as a string without the padding."""
    return raw.decode("ascii").rstrip(" ")


def _check_range(field: str, value: int, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if hasattr(value, "item"):
            value = value.item()  # numpy integer scalars
        if isinstance(value, bool) or not isinstance(value, int):
            raise SignalFieldError(field, value, "an integer")
    if not low <= value <= high:
        raise SignalFieldError(field, value, f"outside {low}..{high}")
    return value


def _side(value: Union[Side, str, int]) -> Side:
    if isinstance(value, str):
        names = {"buy": Side.BUY, "b": Side.BUY, "sell": Side.SELL, "s": Side.SELL}
        if value.lower() not in names:
            raise SignalFieldError("side", value, "buy or sell")
        return names[value.lower()]
    try:
        side = Side(int(value))
    except ValueError:
        raise SignalFieldError("side", value, "buy or sell") from None
    if side is Side.NONE:
        raise SignalFieldError("side", value, "buy or sell")
    return side


def _urgency(value: Union[Urgency, str, int]) -> Urgency:
    if isinstance(value, str):
        try:
            return Urgency[value.upper()]
        except KeyError:
            raise SignalFieldError("urgency", value, "passive or aggressive") from None
    try:
        return Urgency(int(value))
    except ValueError:
        raise SignalFieldError("urgency", value, "passive or aggressive") from None


def _limit(value: Union[Limit, str, int]) -> Limit:
    if isinstance(value, str):
        try:
            return Limit[value.upper()]
        except KeyError:
            names = ", ".join(limit.name.lower() for limit in Limit)
            raise SignalFieldError("limit", value, f"one of {names}") from None
    try:
        return Limit(int(value))
    except ValueError:
        raise SignalFieldError("limit", value, "a limit code 1..8") from None


# --- records ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SignalRecord:
    """Kind 1: trade ``target`` shares (quantity) or reach a position of ``target``."""

    sequence: int
    target_type: TargetType
    side: Side
    urgency: Urgency
    model_id: int
    symbol: str
    target: int
    limit_price: int  # 4 implied decimals
    ttl_ms: int
    tag: int
    created_ns: int


@dataclass(frozen=True)
class RiskUpdateRecord:
    """Kind 2: set one limit of an account (``value`` 0 removes it)."""

    sequence: int
    limit: Limit
    account: str
    value: int
    symbol: str  # limit 8 only, "" otherwise
    tag: int
    created_ns: int


@dataclass(frozen=True)
class KillSwitchRecord:
    """Kind 3: engage (cancel the account's open orders, reject new ones) or release."""

    sequence: int
    engage: bool
    account: str
    tag: int
    created_ns: int


@dataclass(frozen=True)
class ReferencePriceRecord:
    """Kind 4: the price collar's reference for ``symbol`` until it trades."""

    sequence: int
    symbol: str
    price: int  # 4 implied decimals
    tag: int
    created_ns: int


SignalsRecord = Union[SignalRecord, RiskUpdateRecord, KillSwitchRecord, ReferencePriceRecord]


def encode_signal(
    symbol: str,
    target: int,
    limit_price: PriceLike,
    *,
    side: Union[Side, str, int, None] = None,
    urgency: Union[Urgency, str, int] = Urgency.PASSIVE,
    ttl_ms: int = 0,
    model_id: int = 0,
    tag: int = 0,
    created_ns: int = 0,
    sequence: int = 0,
) -> bytes:
    """A kind 1 record. ``side`` None makes a position target (``target`` signed
    shares); a side makes a quantity target (``target`` > 0 shares to trade)."""
    if side is None:
        target_type, side_code = TargetType.POSITION, Side.NONE
        target = _check_range("target", target, _I64_MIN, _I64_MAX)
    else:
        target_type, side_code = TargetType.QUANTITY, _side(side)
        target = _check_range("target", target, 1, _I64_MAX)
    price = to_fixed4(limit_price, "limit price")
    if price <= 0:
        raise SignalFieldError("limit price", limit_price, "must be > 0")
    return _SIGNAL.pack(
        sequence,
        SignalsRecordKind.SIGNAL,
        target_type,
        side_code,
        _urgency(urgency),
        _check_range("model id", model_id, 0, _U32_MAX),
        encode_name(symbol, "symbol"),
        target,
        price,
        _check_range("ttl ms", ttl_ms, 0, _U32_MAX),
        0,
        _check_range("tag", tag, 0, _U64_MAX),
        created_ns,
    )


def encode_risk_update(
    account: str,
    limit: Union[Limit, str, int],
    value: int,
    *,
    symbol: Optional[str] = None,
    tag: int = 0,
    created_ns: int = 0,
    sequence: int = 0,
) -> bytes:
    """A kind 2 record; ``value`` already in the wire's units (currency in 4 implied
    decimals). ``symbol`` is required for limit 8 (restricted symbol) and refused
    otherwise."""
    limit = _limit(limit)
    if limit is Limit.RESTRICTED_SYMBOL:
        if symbol is None:
            raise SignalFieldError("symbol", symbol, "required for the restricted-symbol limit")
        symbol_bytes = encode_name(symbol, "symbol")
        _check_range("value", value, 0, 1)
    else:
        if symbol is not None:
            raise SignalFieldError("symbol", symbol, f"only for the restricted-symbol limit, not {limit.name.lower()}")
        symbol_bytes = bytes(layout.NAME_SIZE)
        _check_range("value", value, 0, _I64_MAX)
    return _RISK_UPDATE.pack(
        sequence,
        SignalsRecordKind.RISK_UPDATE,
        limit,
        encode_name(account, "account"),
        value,
        symbol_bytes,
        _check_range("tag", tag, 0, _U64_MAX),
        created_ns,
    )


def encode_kill_switch(account: str, engage: bool, *, tag: int = 0, created_ns: int = 0, sequence: int = 0) -> bytes:
    """A kind 3 record: ``engage`` True engages the account's kill switch, False releases it."""
    return _KILL_SWITCH.pack(
        sequence,
        SignalsRecordKind.KILL_SWITCH,
        layout.KILL_SWITCH_ENGAGE if engage else layout.KILL_SWITCH_RELEASE,
        encode_name(account, "account"),
        _check_range("tag", tag, 0, _U64_MAX),
        created_ns,
    )


def encode_reference_price(
    symbol: str, price: PriceLike, *, tag: int = 0, created_ns: int = 0, sequence: int = 0
) -> bytes:
    """A kind 4 record: the collar's reference price for ``symbol`` (> 0)."""
    raw = to_fixed4(price, "price")
    if raw <= 0:
        raise SignalFieldError("price", price, "must be > 0")
    return _REFERENCE_PRICE.pack(
        sequence,
        SignalsRecordKind.REFERENCE_PRICE,
        encode_name(symbol, "symbol"),
        raw,
        _check_range("tag", tag, 0, _U64_MAX),
        created_ns,
    )


def decode_signals_record(record: bytes) -> SignalsRecord:
    """A signals-ring record as a typed value (what the gateway's bridge reads); for
    tests and tools. Raises ``ValueError`` for an unknown kind or field code."""
    if len(record) != layout.RECORD_SIZE:
        raise ValueError(f"a record is {layout.RECORD_SIZE} bytes, got {len(record)}")
    kind = record[layout.RECORD_KIND_OFFSET]
    if kind == SignalsRecordKind.SIGNAL:
        seq, _, ttype, side, urgency, model, symbol, target, price, ttl, _, tag, created = _SIGNAL.unpack(record)
        return SignalRecord(
            seq, TargetType(ttype), Side(side), Urgency(urgency), model, decode_name(symbol), target, price, ttl, tag, created
        )
    if kind == SignalsRecordKind.RISK_UPDATE:
        seq, _, limit, account, value, symbol, tag, created = _RISK_UPDATE.unpack(record)
        name = decode_name(symbol) if limit == Limit.RESTRICTED_SYMBOL else ""
        return RiskUpdateRecord(seq, Limit(limit), decode_name(account), value, name, tag, created)
    if kind == SignalsRecordKind.KILL_SWITCH:
        seq, _, state, account, tag, created = _KILL_SWITCH.unpack(record)
        return KillSwitchRecord(seq, state == layout.KILL_SWITCH_ENGAGE, decode_name(account), tag, created)
    if kind == SignalsRecordKind.REFERENCE_PRICE:
        seq, _, symbol, price, tag, created = _REFERENCE_PRICE.unpack(record)
        return ReferencePriceRecord(seq, decode_name(symbol), price, tag, created)
    raise ValueError(f"unknown signals record kind {kind}")


# --- the writer ---------------------------------------------------------------------------


def _as_list(values: Any, count: int, field: str) -> list:
    """A per-item column: a sequence or numpy array of ``count`` items, or a scalar."""
    if values is None or isinstance(values, (str, bytes, int, float, Decimal)):
        return [values] * count
    items = values.tolist() if hasattr(values, "tolist") else list(values)
    if len(items) != count:
        raise SignalFieldError(field, f"{len(items)} items", f"expected {count}, one per symbol")
    return items


class SignalWriter:
    """The producer of the signals ring: sends signals (and, through
    :class:`RiskControl`, risk records), stamping each with its created time."""

    def __init__(self, ring: SharedMemoryRing, clock_ns: Callable[[], int] = time.time_ns) -> None:
        """``ring`` is the attached signals ring; ``clock_ns`` stamps bytes 56–63
        (CLOCK_REALTIME ns by default; tests inject a fixed clock)."""
        if ring.kind is not RingKind.SIGNALS:
            raise ValueError(f"{ring.path} is a {ring.kind.name.lower()} ring, not a signals ring")
        self.ring = ring
        self.clock_ns = clock_ns

    @classmethod
    def open(cls, path: str = layout.DEFAULT_SIGNALS_PATH) -> "SignalWriter":
        """Attach to the signals ring the gateway created at ``path``."""
        return cls(SharedMemoryRing.attach(path, RingKind.SIGNALS))

    def close(self) -> None:
        """Unmap the ring."""
        self.ring.close()

    def __enter__(self) -> "SignalWriter":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def publish_record(self, record: bytes, timeout: Optional[float] = 1.0) -> int:
        """Publish an encoded record (see ``encode_*``); returns its sequence number.
        Raises :class:`~cift.ring.RingFullError` when the ring stays full for ``timeout``."""
        return self.ring.publish(record, timeout)

    def send(
        self,
        symbol: str,
        target: int,
        limit_price: PriceLike,
        *,
        side: Union[Side, str, int, None] = None,
        urgency: Union[Urgency, str, int] = Urgency.PASSIVE,
        ttl_ms: int = 0,
        model_id: int = 0,
        tag: int = 0,
        timeout: Optional[float] = 1.0,
    ) -> int:
        """Send one signal and return its sequence number (the fills ring's
        acknowledgement or rejection names it).

        Without ``side``, ``target`` is the position to reach (signed shares); with
        ``side`` ("buy"/"sell" or :class:`Side`), ``target`` is the quantity to trade.
        ``limit_price`` is converted to 4 implied decimals exactly (more decimals raise
        :class:`SignalFieldError`). ``urgency``: "passive" (Day limit, may rest) or
        "aggressive" (IOC). ``ttl_ms`` 0: no expiry. Waits up to ``timeout`` seconds for
        room, then raises :class:`~cift.ring.RingFullError` (``timeout=0``: at once).
        """
        record = encode_signal(
            symbol, target, limit_price, side=side, urgency=urgency, ttl_ms=ttl_ms,
            model_id=model_id, tag=tag, created_ns=self.clock_ns(),
        )
        return self.ring.publish(record, timeout)

    def send_many(
        self,
        symbols: Sequence[str],
        targets: Any,
        limit_prices: Any,
        *,
        sides: Any = None,
        urgency: Union[Urgency, str, int] = Urgency.PASSIVE,
        ttl_ms: int = 0,
        model_id: int = 0,
        tags: Any = 0,
        timeout: Optional[float] = 1.0,
    ) -> list[int]:
        """Send one signal per symbol, as :meth:`send` does, in one batch.

        ``targets``, ``limit_prices``, ``sides`` and ``tags`` are sequences or numpy
        arrays of one item per symbol (or, for ``sides`` and ``tags``, one scalar for
        all; ``sides`` None: position targets). Every record is encoded before any is
        published, so a bad field sends nothing; records are then published with one tail
        store per run of free slots. Returns the sequence numbers in order.
        """
        symbol_list = list(symbols)
        count = len(symbol_list)
        target_list = _as_list(targets, count, "targets")
        price_list = _as_list(limit_prices, count, "limit prices")
        side_list = _as_list(sides, count, "sides")
        tag_list = _as_list(tags, count, "tags")
        created = self.clock_ns()
        records = [
            encode_signal(
                symbol_list[i], target_list[i], price_list[i], side=side_list[i], urgency=urgency,
                ttl_ms=ttl_ms, model_id=model_id, tag=tag_list[i], created_ns=created,
            )
            for i in range(count)
        ]
        first = self.ring.publish_many(records, timeout)
        return list(range(first, first + count))


class RiskControl:
    """Risk records on the signals ring: limits, restricted symbols, kill switches and
    reference prices. Publishes through the process's :class:`SignalWriter`."""

    def __init__(self, writer: SignalWriter) -> None:
        """``writer`` is the signals ring's producer in this process (one per ring)."""
        self.writer = writer

    def set_limit(
        self, account: str, limit_name: Union[Limit, str, int], value: Union[int, PriceLike], *,
        tag: int = 0, timeout: Optional[float] = 1.0,
    ) -> int:
        """Set one limit of ``account``; 0 removes it. Returns the record's sequence.

        ``limit_name`` is a :class:`~cift.layout.Limit` or its lower-case name
        ("max_order_quantity", "max_order_notional", "price_collar_bps",
        "max_open_orders", "max_gross_position", "max_net_position",
        "max_total_exposure"). ``value`` is in natural units: shares, orders or basis
        points as an int; notional and exposure as a currency amount (int, Decimal or
        float), converted to 4 implied decimals exactly. Restricted symbols go through
        :meth:`restrict_symbol` and :meth:`allow_symbol`.
        """
        limit = _limit(limit_name)
        if limit is Limit.RESTRICTED_SYMBOL:
            raise SignalFieldError("limit", limit_name, "use restrict_symbol() or allow_symbol()")
        raw = to_fixed4(value, "value") if limit in layout.CURRENCY_LIMITS else value
        record = encode_risk_update(account, limit, raw, tag=tag, created_ns=self.writer.clock_ns())
        return self.writer.publish_record(record, timeout)

    def remove_limit(self, account: str, limit_name: Union[Limit, str, int], *, tag: int = 0,
                     timeout: Optional[float] = 1.0) -> int:
        """Remove one limit of ``account`` (a risk update with value 0)."""
        return self.set_limit(account, limit_name, 0, tag=tag, timeout=timeout)

    def restrict_symbol(self, account: str, symbol: str, *, tag: int = 0, timeout: Optional[float] = 1.0) -> int:
        """Refuse new orders of ``account`` in ``symbol`` (limit 8, value 1)."""
        record = encode_risk_update(account, Limit.RESTRICTED_SYMBOL, 1, symbol=symbol, tag=tag,
                                    created_ns=self.writer.clock_ns())
        return self.writer.publish_record(record, timeout)

    def allow_symbol(self, account: str, symbol: str, *, tag: int = 0, timeout: Optional[float] = 1.0) -> int:
        """Lift a restriction of ``account`` in ``symbol`` (limit 8, value 0)."""
        record = encode_risk_update(account, Limit.RESTRICTED_SYMBOL, 0, symbol=symbol, tag=tag,
                                    created_ns=self.writer.clock_ns())
        return self.writer.publish_record(record, timeout)

    def kill_switch(self, account: str, on: bool, *, tag: int = 0, timeout: Optional[float] = 1.0) -> int:
        """Engage (``on`` True: cancel every open order of the account and reject new
        ones) or release the account's kill switch."""
        record = encode_kill_switch(account, on, tag=tag, created_ns=self.writer.clock_ns())
        return self.writer.publish_record(record, timeout)

    def reference_price(self, symbol: str, price: PriceLike, *, tag: int = 0, timeout: Optional[float] = 1.0) -> int:
        """Set the price collar's reference for ``symbol`` until it trades."""
        record = encode_reference_price(symbol, price, tag=tag, created_ns=self.writer.clock_ns())
        return self.writer.publish_record(record, timeout)
