"""Every constant of specs/shm-ring.md, in one place.

The Swift side (``Sources/Rings``) and this module must agree byte for byte;
``tests/test_layout.py`` reads the tables of specs/shm-ring.md and compares them with
the names below. Section names of the spec are given in the comments ("File layout",
"Kind 1: signal", ...). All integers are little-endian; signed fields are two's
complement.
"""

from __future__ import annotations

from enum import IntEnum

# --- "File layout" ---------------------------------------------------------------

#: Offset 0, 8 bytes: the file's magic.
MAGIC: bytes = b"CIFTRING"
#: Offset 8, 4 bytes: the layout version this package implements.
VERSION: int = 1
#: Offset 12, 4 bytes: every record is 64 bytes.
RECORD_SIZE: int = 64
#: Offset 28, 4 bytes: three 128-byte blocks (fields, producer index, consumer index).
HEADER_SIZE: int = 384
#: The size of each of the header's three blocks (two cache lines).
HEADER_BLOCK_SIZE: int = 128

MAGIC_OFFSET: int = 0
MAGIC_SIZE: int = 8
VERSION_OFFSET: int = 8
VERSION_SIZE: int = 4
RECORD_SIZE_OFFSET: int = 12
RECORD_SIZE_SIZE: int = 4
CAPACITY_OFFSET: int = 16
CAPACITY_SIZE: int = 8
KIND_OFFSET: int = 24
KIND_SIZE: int = 4
HEADER_SIZE_OFFSET: int = 28
HEADER_SIZE_SIZE: int = 4
#: Offset 32, 8 bytes: records the producer could not write because the ring was full
#: (fills ring only, written by the gateway; "Full ring").
OVERFLOW_COUNT_OFFSET: int = 32
OVERFLOW_COUNT_SIZE: int = 8
#: Offset 128, 8 bytes: the producer index (tail), records ever published. Written only
#: by the producer, with one aligned 8-byte store.
PRODUCER_INDEX_OFFSET: int = 128
#: Offset 256, 8 bytes: the consumer index (head), records ever consumed. Written only
#: by the consumer, with one aligned 8-byte store.
CONSUMER_INDEX_OFFSET: int = 256
INDEX_SIZE: int = 8
#: Offset 384: slot ``n mod capacity`` holds record ``n`` (counting from 0).
SLOTS_OFFSET: int = HEADER_SIZE


def file_size(capacity: int) -> int:
    """The size of a ring file of ``capacity`` slots: ``384 + capacity × 64``."""
    return HEADER_SIZE + capacity * RECORD_SIZE


class RingKind(IntEnum):
    """Offset 24 of the header ("File layout")."""

    SIGNALS = 1
    FILLS = 2


#: The embedded default paths ("Shared-memory rings: signals in, fills out").
DEFAULT_SIGNALS_PATH: str = "/dev/shm/cift-signals"
DEFAULT_FILLS_PATH: str = "/dev/shm/cift-fills"

# --- "Full ring" ------------------------------------------------------------------

#: The producer sleeps this long between looks at the consumer index when full.
FULL_RING_POLL_SECONDS: float = 50e-6
#: The gateway's backlog of fills records before it drops and counts overflow.
FILLS_BACKLOG_RECORDS: int = 4096

# --- Common to every record ("Signals ring records", "Fills ring records") --------

#: Bytes 0–7: the record's sequence number, n + 1 (never 0).
RECORD_SEQUENCE_OFFSET: int = 0
#: Byte 8: the record kind.
RECORD_KIND_OFFSET: int = 8
#: Bytes 48–55: the client tag (any u64), echoed on the fills ring.
RECORD_TAG_OFFSET: int = 48
#: Bytes 56–63: created time (signals ring) or engine event time (fills ring), ns since
#: the Unix epoch.
RECORD_TIME_OFFSET: int = 56

#: Prices and currency amounts carry four implied decimals (150.2500 = 1,502,500).
PRICE_DECIMALS: int = 4
PRICE_SCALE: int = 10**PRICE_DECIMALS

# --- "Signals ring records (64 bytes)" --------------------------------------------


class SignalsRecordKind(IntEnum):
    """Byte 8 of a signals-ring record."""

    SIGNAL = 1
    RISK_UPDATE = 2
    KILL_SWITCH = 3
    REFERENCE_PRICE = 4


# "Kind 1: signal"
SIGNAL_TARGET_TYPE_OFFSET: int = 9  # u8
SIGNAL_SIDE_OFFSET: int = 10  # u8
SIGNAL_URGENCY_OFFSET: int = 11  # u8
SIGNAL_MODEL_ID_OFFSET: int = 12  # u32
SIGNAL_SYMBOL_OFFSET: int = 16  # 8 ASCII, space-padded
SIGNAL_TARGET_OFFSET: int = 24  # i64 shares
SIGNAL_LIMIT_PRICE_OFFSET: int = 32  # i64, 4 implied decimals, > 0
SIGNAL_TTL_OFFSET: int = 40  # u32 ms, 0: no expiry
SIGNAL_ZERO_OFFSET: int = 44  # 4 bytes zero


class TargetType(IntEnum):
    """Byte 9 of a signal: what ``target`` means."""

    #: Trade ``target`` shares on ``side``.
    QUANTITY = 1
    #: Reach a position of ``target`` shares (signed).
    POSITION = 2


class Side(IntEnum):
    """A side: byte 10 of a signal (0 for position targets) and of fills records 3 and 4."""

    NONE = 0
    BUY = 1
    SELL = 2


class Urgency(IntEnum):
    """Byte 11 of a signal."""

    #: A Day limit order that may rest.
    PASSIVE = 0
    #: An IOC order.
    AGGRESSIVE = 1


# "Kind 2: risk update"
RISK_LIMIT_OFFSET: int = 9  # u8, a Limit
RISK_ACCOUNT_OFFSET: int = 16  # 8 ASCII, space-padded
RISK_VALUE_OFFSET: int = 24  # i64
RISK_SYMBOL_OFFSET: int = 32  # 8 ASCII (limit 8 only)


class Limit(IntEnum):
    """Byte 9 of a risk update: which limit ``value`` sets (0 removes it)."""

    MAX_ORDER_QUANTITY = 1  # shares
    MAX_ORDER_NOTIONAL = 2  # currency, 4 implied decimals
    PRICE_COLLAR_BPS = 3  # basis points
    MAX_OPEN_ORDERS = 4  # orders
    MAX_GROSS_POSITION = 5  # shares
    MAX_NET_POSITION = 6  # shares
    MAX_TOTAL_EXPOSURE = 7  # currency, 4 implied decimals
    RESTRICTED_SYMBOL = 8  # value 1 restricts `symbol`, 0 lifts it


#: The limits whose value is a currency amount in 4 implied decimals.
CURRENCY_LIMITS: frozenset[Limit] = frozenset({Limit.MAX_ORDER_NOTIONAL, Limit.MAX_TOTAL_EXPOSURE})

# "Kind 3: kill switch"
KILL_SWITCH_STATE_OFFSET: int = 9  # u8: 1 engage, 0 release
KILL_SWITCH_ACCOUNT_OFFSET: int = 16  # 8 ASCII
KILL_SWITCH_ENGAGE: int = 1
KILL_SWITCH_RELEASE: int = 0

# "Kind 4: reference price"
REFERENCE_PRICE_SYMBOL_OFFSET: int = 16  # 8 ASCII
REFERENCE_PRICE_PRICE_OFFSET: int = 32  # i64, 4 implied decimals, > 0

#: Symbols and accounts are 8 ASCII bytes, space-padded.
NAME_SIZE: int = 8

# --- "Fills ring records (64 bytes)" ----------------------------------------------


class FillsRecordKind(IntEnum):
    """Byte 8 of a fills-ring record."""

    ACKNOWLEDGEMENT = 1
    REJECTION = 2
    ORDER = 3
    FILL = 4
    POSITION = 5


# Kind 1 acknowledgement and kind 2 rejection
ANSWER_RECORD_KIND_OFFSET: int = 9  # u8: the signals record's kind
REJECTION_REASON_OFFSET: int = 10  # u16
ANSWER_SIGNAL_SEQUENCE_OFFSET: int = 40  # u64: the signals record's sequence

# Kind 3 order
ORDER_SIDE_OFFSET: int = 10  # u8
ORDER_MODEL_ID_OFFSET: int = 12  # u32
ORDER_SYMBOL_OFFSET: int = 16  # 8 ASCII
ORDER_QUANTITY_OFFSET: int = 24  # i64
ORDER_PRICE_OFFSET: int = 32  # i64
ORDER_REFERENCE_OFFSET: int = 40  # u64

# Kind 4 fill
FILL_SIDE_OFFSET: int = 10  # u8
FILL_LIQUIDITY_OFFSET: int = 11  # u8
FILL_SYMBOL_OFFSET: int = 16  # 8 ASCII
FILL_QUANTITY_OFFSET: int = 24  # i64
FILL_PRICE_OFFSET: int = 32  # i64
FILL_MATCH_NUMBER_OFFSET: int = 40  # u64

# Kind 5 position
POSITION_SYMBOL_OFFSET: int = 16  # 8 ASCII
POSITION_POSITION_OFFSET: int = 24  # i64 signed shares
POSITION_AVERAGE_PRICE_OFFSET: int = 32  # i64; 0 when flat


class Liquidity(IntEnum):
    """Byte 11 of a fill."""

    ADDED = 1
    REMOVED = 2


# Rejection reasons (u16): the engine's RejectReason raw values
# (Sources/GatewayCore/Reasons.swift), then the shared-memory bridge's own from 1001.
REJECT_REASON_NAMES: dict[int, str] = {
    1: "unknown symbol",
    2: "unknown account",
    3: "invalid quantity",
    4: "invalid price",
    5: "invalid side",
    6: "invalid order type",
    7: "invalid time in force",
    8: "symbol halted",
    9: "duplicate order identifier",
    10: "post-only order would trade",
    11: "order capacity exceeded",
    12: "market closed",
    13: "unknown command",
    14: "order quantity above the account's limit",
    15: "order notional above the account's limit",
    16: "price outside the collar around the reference price",
    17: "too many open orders",
    18: "gross position limit",
    19: "net position limit",
    20: "total exposure limit",
    21: "symbol restricted for the account",
    22: "account blocked by kill switch",
    23: "message rate limit exceeded",
    24: "invalid risk update",
    25: "target already reached",
    1001: "unknown kind",
    1002: "unknown symbol",
    1003: "unknown account",
    1004: "unknown limit",
    1005: "stale",
    1006: "invalid field",
    1007: "no change",
}

REJECT_UNKNOWN_KIND: int = 1001
REJECT_UNKNOWN_SYMBOL: int = 1002
REJECT_UNKNOWN_ACCOUNT: int = 1003
REJECT_UNKNOWN_LIMIT: int = 1004
REJECT_STALE: int = 1005
REJECT_INVALID_FIELD: int = 1006
REJECT_NO_CHANGE: int = 1007


def reject_reason_name(code: int) -> str:
    """The name of a rejection reason; codes this package does not know (risk reasons
    the engine adds later) read as ``"reason <code>"``."""
    return REJECT_REASON_NAMES.get(code, f"reason {code}")
