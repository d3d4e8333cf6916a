"""Every record kind through the ring and back; SignalWriter, RiskControl and FillReader."""

from __future__ import annotations

import dataclasses
import struct
from decimal import Decimal

import numpy as np
import pytest

from cift import layout
from cift.fills import (
    Acknowledgement,
    Fill,
    FillReader,
    OrderCreated,
    PositionUpdate,
    Rejection,
    UnknownFillsRecord,
    decode_fills_record,
    encode_fills_record,
)
from cift.layout import Limit, Liquidity, RingKind, Side, SignalsRecordKind, TargetType, Urgency
from cift.ring import RingFullError
from cift.signals import (
    KillSwitchRecord,
    ReferencePriceRecord,
    RiskControl,
    RiskUpdateRecord,
    SignalFieldError,
    SignalRecord,
    SignalWriter,
    decode_signals_record,
    to_fixed4,
)

NOW = 1_763_700_000_000_000_000


def fixed_clock() -> int:
    return NOW


def received(ring) -> list:
    """Every signals record published so far, decoded and consumed."""
    records = []
    while (raw := ring.poll()) is not None:
        records.append(decode_signals_record(raw))
        ring.consume()
    return records


@pytest.fixture
def signals(make_ring):
    ring = make_ring(RingKind.SIGNALS, 64, "signals")
    return ring, SignalWriter(ring, clock_ns=fixed_clock)


# --- signals ring ---------------------------------------------------------------------


def test_every_signals_record_kind_round_trips(signals):
    ring, writer = signals
    risk = RiskControl(writer)
    assert writer.send("AAPL", 300, Decimal("150.25"), ttl_ms=500, model_id=7, tag=11) == 1
    assert writer.send("NVDA", 200, 901.5, side="buy", urgency="aggressive", model_id=3, tag=12) == 2
    assert writer.send("TSLA", -1500, "180.0001", urgency=Urgency.AGGRESSIVE, tag=13) == 3
    assert writer.send("SPY", 100, 500, side=Side.SELL) == 4
    assert risk.set_limit("ACC1", "max_order_quantity", 5_000, tag=21) == 5
    assert risk.set_limit("ACC1", Limit.MAX_ORDER_NOTIONAL, Decimal("1000000.00")) == 6
    assert risk.set_limit("ACC2", "max_total_exposure", 2_500_000.5) == 7
    assert risk.set_limit("ACC2", "price_collar_bps", 250) == 8
    assert risk.remove_limit("ACC2", "max_open_orders") == 9
    assert risk.restrict_symbol("ACC3", "META", tag=22) == 10
    assert risk.allow_symbol("ACC3", "META") == 11
    assert risk.kill_switch("ACC1", True, tag=23) == 12
    assert risk.kill_switch("ACC1", False) == 13
    assert risk.reference_price("GOOGL", Decimal("171.1234"), tag=24) == 14

    assert received(ring) == [
        SignalRecord(1, TargetType.POSITION, Side.NONE, Urgency.PASSIVE, 7, "AAPL", 300, 1_502_500, 500, 11, NOW),
        SignalRecord(2, TargetType.QUANTITY, Side.BUY, Urgency.AGGRESSIVE, 3, "NVDA", 200, 9_015_000, 0, 12, NOW),
        SignalRecord(3, TargetType.POSITION, Side.NONE, Urgency.AGGRESSIVE, 0, "TSLA", -1500, 1_800_001, 0, 13, NOW),
        SignalRecord(4, TargetType.QUANTITY, Side.SELL, Urgency.PASSIVE, 0, "SPY", 100, 5_000_000, 0, 0, NOW),
        RiskUpdateRecord(5, Limit.MAX_ORDER_QUANTITY, "ACC1", 5_000, "", 21, NOW),
        RiskUpdateRecord(6, Limit.MAX_ORDER_NOTIONAL, "ACC1", 10_000_000_000, "", 0, NOW),
        RiskUpdateRecord(7, Limit.MAX_TOTAL_EXPOSURE, "ACC2", 25_000_005_000, "", 0, NOW),
        RiskUpdateRecord(8, Limit.PRICE_COLLAR_BPS, "ACC2", 250, "", 0, NOW),
        RiskUpdateRecord(9, Limit.MAX_OPEN_ORDERS, "ACC2", 0, "", 0, NOW),
        RiskUpdateRecord(10, Limit.RESTRICTED_SYMBOL, "ACC3", 1, "META", 22, NOW),
        RiskUpdateRecord(11, Limit.RESTRICTED_SYMBOL, "ACC3", 0, "META", 0, NOW),
        KillSwitchRecord(12, True, "ACC1", 23, NOW),
        KillSwitchRecord(13, False, "ACC1", 0, NOW),
        ReferencePriceRecord(14, "GOOGL", 1_711_234, 24, NOW),
    ]


def test_risk_and_kill_switch_bytes(signals):
    ring, writer = signals
    risk = RiskControl(writer)
    risk.restrict_symbol("ACC3", "META")
    risk.kill_switch("ACC1", True)
    risk.reference_price("AAPL", 150)
    restrict, kill, reference = ring.poll(), None, None
    ring.consume()
    kill = ring.poll()
    ring.consume()
    reference = ring.poll()
    assert restrict[8:10] == bytes([SignalsRecordKind.RISK_UPDATE, Limit.RESTRICTED_SYMBOL])
    assert restrict[10:16] == bytes(6) and restrict[16:24] == b"ACC3    "
    assert struct.unpack_from("<q", restrict, 24)[0] == 1 and restrict[32:40] == b"META    "
    assert restrict[40:48] == bytes(8)
    assert kill[8:10] == bytes([3, 1]) and kill[16:24] == b"ACC1    " and kill[24:48] == bytes(24)
    assert reference[8] == 4 and reference[9:16] == bytes(7) and reference[16:24] == b"AAPL    "
    assert reference[24:32] == bytes(8) and struct.unpack_from("<q", reference, 32)[0] == 1_500_000
    assert reference[40:48] == bytes(8)


@pytest.mark.parametrize(
    "value, raw",
    [
        (Decimal("150.25"), 1_502_500),
        (Decimal("150.2500"), 1_502_500),
        (Decimal("150.250000"), 1_502_500),  # trailing zeros are not decimals
        (150.25, 1_502_500),
        (150.1, 1_501_000),  # the float's shortest form, not its binary expansion
        (0.0001, 1),
        ("0.0003", 3),
        (7, 70_000),
        (np.float64(99.99), 999_900),
        (np.int64(12), 120_000),
        (Decimal("1E+2"), 1_000_000),
    ],
)
def test_prices_convert_exactly(value, raw):
    assert to_fixed4(value) == raw


@pytest.mark.parametrize(
    "value",
    [Decimal("150.12345"), 150.12345, "0.00001", 1e-5, float("nan"), float("inf"), Decimal("NaN"), "abc", True,
     Decimal("1e20"), [1]],
)
def test_prices_refuse_more_decimals_and_non_numbers(value):
    with pytest.raises(SignalFieldError):
        to_fixed4(value)


@pytest.mark.parametrize(
    "kwargs, field",
    [
        (dict(limit_price=0), "limit price"),
        (dict(limit_price=-1.5), "limit price"),
        (dict(limit_price=Decimal("1.00005")), "limit price"),
        (dict(symbol="TOOLONGSYM"), "symbol"),
        (dict(symbol=""), "symbol"),
        (dict(symbol="ÄPFEL"), "symbol"),
        (dict(symbol="A B"), "symbol"),
        (dict(side="hold"), "side"),
        (dict(side=0), "side"),
        (dict(side="buy", target=0), "target"),
        (dict(side="buy", target=-5), "target"),
        (dict(target=2**63), "target"),
        (dict(target=1.5), "target"),
        (dict(urgency="urgent"), "urgency"),
        (dict(ttl_ms=-1), "ttl ms"),
        (dict(ttl_ms=2**32), "ttl ms"),
        (dict(model_id=2**32), "model id"),
        (dict(tag=-1), "tag"),
    ],
)
def test_signal_fields_are_checked_before_anything_is_written(signals, kwargs, field):
    ring, writer = signals
    arguments = dict(symbol="AAPL", target=100, limit_price=150.25) | kwargs
    with pytest.raises(SignalFieldError) as caught:
        writer.send(arguments.pop("symbol"), arguments.pop("target"), arguments.pop("limit_price"), **arguments)
    assert caught.value.field == field
    assert ring.tail == 0


def test_risk_fields_are_checked(signals):
    ring, writer = signals
    risk = RiskControl(writer)
    with pytest.raises(SignalFieldError, match="one of max_order_quantity"):
        risk.set_limit("ACC1", "max_orders", 5)
    with pytest.raises(SignalFieldError, match="restrict_symbol"):
        risk.set_limit("ACC1", "restricted_symbol", 1)
    with pytest.raises(SignalFieldError):
        risk.set_limit("ACC1", "max_order_notional", Decimal("0.00001"))
    with pytest.raises(SignalFieldError):
        risk.set_limit("ACC1", "max_order_quantity", -1)
    with pytest.raises(SignalFieldError):
        risk.set_limit("ACC1", "max_order_quantity", 1.5)
    with pytest.raises(SignalFieldError):
        risk.set_limit("ACCOUNT123", "max_order_quantity", 1)
    with pytest.raises(SignalFieldError):
        risk.reference_price("AAPL", 0)
    assert ring.tail == 0


def test_send_many_with_lists_and_numpy_arrays(signals):
    ring, writer = signals
    symbols = ["AAPL", "MSFT", "NVDA"]
    assert writer.send_many(symbols, np.array([100, -200, 0]), np.array([150.25, 412.5, 901.0]), model_id=9) == [1, 2, 3]
    assert writer.send_many(symbols, [10, 20, 30], [Decimal("1.5"), 2, "3.25"], sides=["buy", "sell", Side.BUY],
                            tags=np.arange(1, 4, dtype=np.uint64), urgency="aggressive", ttl_ms=250) == [4, 5, 6]
    assert writer.send_many([], [], []) == []
    records = received(ring)
    assert [(r.symbol, r.target, r.limit_price, r.target_type, r.model_id) for r in records[:3]] == [
        ("AAPL", 100, 1_502_500, TargetType.POSITION, 9),
        ("MSFT", -200, 4_125_000, TargetType.POSITION, 9),
        ("NVDA", 0, 9_010_000, TargetType.POSITION, 9),
    ]
    assert [(r.side, r.target, r.limit_price, r.tag, r.urgency, r.ttl_ms) for r in records[3:]] == [
        (Side.BUY, 10, 15_000, 1, Urgency.AGGRESSIVE, 250),
        (Side.SELL, 20, 20_000, 2, Urgency.AGGRESSIVE, 250),
        (Side.BUY, 30, 32_500, 3, Urgency.AGGRESSIVE, 250),
    ]


def test_send_many_sends_nothing_when_one_item_is_bad(signals):
    ring, writer = signals
    with pytest.raises(SignalFieldError):
        writer.send_many(["AAPL", "MSFT"], [1, 2], [150.25, 1.23456])
    with pytest.raises(SignalFieldError):
        writer.send_many(["AAPL", "MSFT"], [1, 2, 3], [1, 2])
    assert ring.tail == 0


def test_send_raises_ring_full_after_the_timeout(make_ring):
    ring = make_ring(RingKind.SIGNALS, 2)
    writer = SignalWriter(ring)
    writer.send("AAPL", 1, 1)
    writer.send("AAPL", 2, 1)
    with pytest.raises(RingFullError):
        writer.send("AAPL", 3, 1, timeout=0)
    with pytest.raises(RingFullError):
        writer.send_many(["AAPL"], [3], [1], timeout=0.01)
    assert ring.tail == 2


def test_writer_and_reader_check_the_ring_kind(make_ring):
    with pytest.raises(ValueError, match="not a signals ring"):
        SignalWriter(make_ring(RingKind.FILLS, 8, "fills"))
    with pytest.raises(ValueError, match="not a fills ring"):
        FillReader(make_ring(RingKind.SIGNALS, 8, "signals"))


def test_open_by_path(tmp_path, make_ring):
    make_ring(RingKind.SIGNALS, 8, "signals")
    make_ring(RingKind.FILLS, 8, "fills")
    with SignalWriter.open(str(tmp_path / "signals")) as writer:
        assert writer.send("AAPL", 1, 1) == 1
    with FillReader.open(str(tmp_path / "fills")) as reader:
        assert reader.poll() is None and reader.overflow_count == 0


# --- fills ring -----------------------------------------------------------------------

FILLS = [
    Acknowledgement(1, SignalsRecordKind.SIGNAL, 41, 0x0102030405060708, NOW + 1),
    Rejection(2, SignalsRecordKind.SIGNAL, layout.REJECT_STALE, 42, 7, NOW + 2),
    Rejection(3, SignalsRecordKind.RISK_UPDATE, 2, 43, 0, NOW + 3),
    OrderCreated(4, Side.BUY, 7, "AAPL", 300, 1_502_500, 9_000_001, 11, NOW + 4),
    Fill(5, Side.BUY, Liquidity.REMOVED, "AAPL", 100, 1_502_400, 77, 11, NOW + 5),
    Fill(6, Side.SELL, Liquidity.ADDED, "MSFT", 5, 4_125_000, 2**64 - 1, 0, NOW + 6),
    PositionUpdate(7, "AAPL", 100, 1_502_400, 11, NOW + 7),
    PositionUpdate(8, "TSLA", -2_000, 1_800_000, 0, NOW + 8),
    PositionUpdate(9, "MSFT", 0, 0, 0, NOW + 9),
]


def test_every_fills_record_kind_round_trips(make_ring):
    ring = make_ring(RingKind.FILLS, 16, "fills")
    for record in FILLS:
        encoded = encode_fills_record(record)
        assert len(encoded) == 64 and decode_fills_record(encoded) == record
        assert ring.try_publish(encoded) == record.sequence
    reader = FillReader(ring)
    assert reader.drain() == FILLS
    assert ring.head == len(FILLS) and reader.poll() is None


def test_fills_record_bytes():
    rejection = encode_fills_record(FILLS[1])
    assert rejection[8:12] == bytes([2, 1]) + struct.pack("<H", 1005)
    assert rejection[12:40] == bytes(28) and struct.unpack_from("<QQQ", rejection, 40) == (42, 7, NOW + 2)
    order = encode_fills_record(FILLS[3])
    assert order[8:12] == bytes([3, 0, 1, 0]) and struct.unpack_from("<I", order, 12)[0] == 7
    assert order[16:24] == b"AAPL    " and struct.unpack_from("<qqQ", order, 24) == (300, 1_502_500, 9_000_001)
    fill = encode_fills_record(FILLS[4])
    assert fill[8:16] == bytes([4, 0, 1, 2, 0, 0, 0, 0])
    assert struct.unpack_from("<qqQ", fill, 24) == (100, 1_502_400, 77)
    position = encode_fills_record(FILLS[7])
    assert position[8:16] == bytes([5]) + bytes(7) and position[16:24] == b"TSLA    "
    assert struct.unpack_from("<qq", position, 24) == (-2_000, 1_800_000) and position[40:48] == bytes(8)


def test_rejection_names_and_decimal_prices():
    assert FILLS[1].reason_name == "stale"
    assert FILLS[2].reason_name == "unknown account"
    assert Rejection(1, 1, 1007, 1, 0, 0).reason_name == "no change"
    assert Rejection(1, 1, 77, 1, 0, 0).reason_name == "reason 77"
    assert FILLS[3].price_decimal == Decimal("150.2500")
    assert FILLS[4].price_decimal == Decimal("150.24")
    assert FILLS[7].average_price_decimal == Decimal("180")


def test_unknown_fills_kind_is_kept_and_consumed(make_ring):
    ring = make_ring(RingKind.FILLS, 8, "fills")
    raw = bytes(8) + bytes([99]) + bytes(range(55))
    ring.try_publish(raw)
    ring.try_publish(encode_fills_record(FILLS[0]))
    reader = FillReader(ring)
    unknown = reader.poll()
    assert isinstance(unknown, UnknownFillsRecord) and unknown.kind == 99 and unknown.sequence == 1
    assert unknown.raw[8:] == raw[8:]
    assert reader.poll() == dataclasses.replace(FILLS[0], sequence=2)


def test_fill_reader_reports_the_overflow_count(make_ring):
    ring = make_ring(RingKind.FILLS, 8, "fills")
    reader = FillReader(ring)
    assert reader.overflow_count == 0
    struct.pack_into("<Q", ring._map, layout.OVERFLOW_COUNT_OFFSET, 12_345)  # as the gateway's bridge does
    assert reader.overflow_count == 12_345


def test_fill_reader_iterates_and_waits(make_ring):
    ring = make_ring(RingKind.FILLS, 4, "fills")
    reader = FillReader(ring)
    for record in FILLS[:3]:
        ring.try_publish(encode_fills_record(record))
    assert list(reader) == FILLS[:3]
    assert list(reader) == []
    ring.try_publish(encode_fills_record(FILLS[3]))
    assert list(reader.records(timeout=0.02)) == [FILLS[3]]
    for record in FILLS[4:8]:
        ring.try_publish(encode_fills_record(record))
    assert reader.drain(max_records=2) == FILLS[4:6]
    assert reader.drain() == FILLS[6:8]
