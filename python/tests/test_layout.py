"""specs/shm-ring.md against cift.layout and the codecs: the golden vectors byte for
byte, and every table of the spec (offsets, sizes, codes) against the named constants."""

from __future__ import annotations

import re
import struct
from decimal import Decimal

import pytest

from cift import layout
from cift.layout import FillsRecordKind, Limit, RingKind, Side, SignalsRecordKind, TargetType, Urgency
from cift.signals import SignalWriter, decode_signals_record, encode_signal

# --- reading the spec ----------------------------------------------------------------


def section(text: str, heading: str) -> str:
    """The text under ``heading`` (a whole heading line) up to the next heading."""
    lines = text.splitlines()
    start = lines.index(heading) + 1
    body = []
    for line in lines[start:]:
        if line.startswith("#"):
            break
        body.append(line)
    return "\n".join(body)


def table_rows(text: str) -> list[list[str]]:
    """The body rows of the first Markdown table in ``text``, cells stripped."""
    rows = [line for line in text.splitlines() if line.startswith("|")]
    assert len(rows) >= 3, "no table"
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows[2:]]


def offset_rows(text: str) -> list[tuple[int, int, str]]:
    """(offset, size, field) of an Offset | Size | Field table; "64 × capacity" reads as 0."""
    result = []
    for offset, size, field in table_rows(text):
        result.append((int(offset), int(size) if size.isdigit() else 0, field))
    return result


def field_offset(rows: list[tuple[int, int, str]], prefix: str) -> tuple[int, int]:
    """The (offset, size) of the row whose field starts with ``prefix``."""
    matches = [(o, s) for o, s, f in rows if f.startswith(prefix)]
    assert len(matches) == 1, f"{prefix!r}: {matches}"
    return matches[0]


def numbered_names(text: str) -> dict[int, str]:
    """``1 buy, 2 sell`` → {1: "buy", 2: "sell"} (words up to a comma or parenthesis)."""
    return {int(n): name for n, name in re.findall(r"\b(\d+) ([a-z][a-z ]*?)(?=[,;]| \(|$|\))", text)}


# --- golden vectors ------------------------------------------------------------------

GOLDEN_HEADER_PREFIX = bytes.fromhex(
    "4349 4654 5249 4e47 0100 0000 4000 0000"
    "0004 0000 0000 0000 0100 0000 8001 0000".replace(" ", "")
)

GOLDEN_RECORD_1 = bytes.fromhex(
    "01 00 00 00 00 00 00 00  01 02 00 00 07 00 00 00"
    "41 41 50 4c 20 20 20 20  2c 01 00 00 00 00 00 00"
    "24 ed 16 00 00 00 00 00  f4 01 00 00 00 00 00 00"
    "08 07 06 05 04 03 02 01  00 40 5b 36 ce eb 79 18".replace(" ", "")
)


def spec_header_dump(spec: str) -> dict[int, int]:
    """The bytes the spec's header dump names: {offset: byte} from its xxd lines."""
    block = spec.split("A signals-ring header for capacity 1024", 1)[1].split("```")[1]
    named: dict[int, int] = {}
    for line in block.splitlines():
        match = re.match(r"([0-9a-f]{8}): (.*)", line)
        if not match:
            continue
        offset = int(match.group(1), 16)
        for group in match.group(2).split():
            if not re.fullmatch(r"[0-9a-f]{4}", group):
                break
            for byte in bytes.fromhex(group):
                named[offset] = byte
                offset += 1
    return named


def spec_record_1(spec: str) -> bytes:
    """The spec's record-1 dump as bytes."""
    block = spec.split("Record 1 (sequence 1)", 1)[1].split("```")[1]
    return bytes.fromhex("".join(block.split()))


def test_golden_header_after_three_published_two_consumed(make_ring, spec_text):
    ring = make_ring(RingKind.SIGNALS, 1024)
    for n in range(3):
        assert ring.try_publish(bytes(64)) == n + 1
    for _ in range(2):
        assert ring.poll() is not None
        ring.consume()
    header = ring.header_bytes()

    expected = bytearray(layout.HEADER_SIZE)
    expected[: len(GOLDEN_HEADER_PREFIX)] = GOLDEN_HEADER_PREFIX
    expected[128] = 3
    expected[256] = 2
    assert header == bytes(expected)

    # The same bytes as the spec's dump says, and zero everywhere the dump elides.
    named = spec_header_dump(spec_text)
    assert named, "no dump found in the spec"
    for offset in range(layout.HEADER_SIZE):
        assert header[offset] == named.get(offset, 0), f"header byte {offset}"
    assert len(ring.header_bytes()) == 384
    assert ring.tail == 3 and ring.head == 2


def test_golden_record_1_signal(make_ring, spec_text):
    assert spec_record_1(spec_text) == GOLDEN_RECORD_1
    record = encode_signal(
        "AAPL", 300, Decimal("150.2500"), urgency="passive", ttl_ms=500, model_id=7,
        tag=0x0102030405060708, created_ns=1_763_700_000_000_000_000,
    )
    ring = make_ring(RingKind.SIGNALS, 1024)
    assert ring.try_publish(record) == 1
    assert ring.poll() == GOLDEN_RECORD_1

    decoded = decode_signals_record(GOLDEN_RECORD_1)
    assert decoded.sequence == 1
    assert decoded.target_type is TargetType.POSITION and decoded.side is Side.NONE
    assert decoded.urgency is Urgency.PASSIVE and decoded.model_id == 7
    assert (decoded.symbol, decoded.target, decoded.limit_price, decoded.ttl_ms) == ("AAPL", 300, 1_502_500, 500)


def test_golden_record_1_through_signal_writer(make_ring):
    ring = make_ring(RingKind.SIGNALS, 1024)
    writer = SignalWriter(ring, clock_ns=lambda: 1_763_700_000_000_000_000)
    sequence = writer.send("AAPL", 300, 150.25, ttl_ms=500, model_id=7, tag=0x0102030405060708)
    assert sequence == 1
    assert ring.poll() == GOLDEN_RECORD_1


# --- the spec's tables against the constants ---------------------------------------------


def test_file_layout_table(spec_text):
    rows = offset_rows(section(spec_text, "## File layout"))
    expected = {
        "magic": (layout.MAGIC_OFFSET, layout.MAGIC_SIZE),
        "version": (layout.VERSION_OFFSET, layout.VERSION_SIZE),
        "record size": (layout.RECORD_SIZE_OFFSET, layout.RECORD_SIZE_SIZE),
        "capacity": (layout.CAPACITY_OFFSET, layout.CAPACITY_SIZE),
        "ring kind": (layout.KIND_OFFSET, layout.KIND_SIZE),
        "header size": (layout.HEADER_SIZE_OFFSET, layout.HEADER_SIZE_SIZE),
        "overflow count": (layout.OVERFLOW_COUNT_OFFSET, layout.OVERFLOW_COUNT_SIZE),
        "**producer index**": (layout.PRODUCER_INDEX_OFFSET, layout.INDEX_SIZE),
        "**consumer index**": (layout.CONSUMER_INDEX_OFFSET, layout.INDEX_SIZE),
        "slots": (layout.SLOTS_OFFSET, 0),
    }
    for prefix, offset_size in expected.items():
        assert field_offset(rows, prefix) == offset_size, prefix
    # The rows tile the header with no gap or overlap, and the slots start at its end.
    position = 0
    for offset, size, field in rows:
        assert offset == position, field
        position += size
    assert rows[-1][0] == layout.HEADER_SIZE
    assert layout.PRODUCER_INDEX_OFFSET % layout.HEADER_BLOCK_SIZE == 0
    assert layout.CONSUMER_INDEX_OFFSET % layout.HEADER_BLOCK_SIZE == 0

    fields = {f.split(",")[0].split(":")[0].split(" `")[0]: f for _, _, f in rows}
    assert f"`{layout.MAGIC.decode()}`" in fields["magic"]
    assert fields["version"] == f"version, {layout.VERSION}"
    assert fields["record size"] == f"record size, {layout.RECORD_SIZE}"
    assert fields["header size"] == f"header size, {layout.HEADER_SIZE}"
    assert numbered_names(fields["ring kind"]) == {k.value: k.name.lower() for k in RingKind}
    assert f"The file is `{layout.HEADER_SIZE} + capacity × {layout.RECORD_SIZE}` bytes" in spec_text
    assert layout.file_size(1024) == 384 + 1024 * 64


def test_paths_and_full_ring_constants(spec_text):
    assert f"`{layout.DEFAULT_SIGNALS_PATH}`" in spec_text
    assert f"`{layout.DEFAULT_FILLS_PATH}`" in spec_text
    assert "sleeping\n  50 µs between looks" in spec_text and layout.FULL_RING_POLL_SECONDS == 50e-6
    assert "bounded\n  backlog (4,096 records)" in spec_text and layout.FILLS_BACKLOG_RECORDS == 4096


def test_signals_common_fields(spec_text):
    common = section(spec_text, "## Signals ring records (64 bytes)")
    assert "bytes 0–7 sequence (n + 1), byte 8 kind, bytes 48–55 client tag" in " ".join(common.split())
    assert "bytes 56–63 created time" in " ".join(common.split())
    assert (layout.RECORD_SEQUENCE_OFFSET, layout.RECORD_KIND_OFFSET) == (0, 8)
    assert (layout.RECORD_TAG_OFFSET, layout.RECORD_TIME_OFFSET) == (48, 56)
    kinds = {int(h.split()[2][:-1]): h.split(": ")[1] for h in re.findall(r"^### Kind \d: .*$", spec_text, re.M)}
    assert kinds == {k.value: k.name.lower().replace("_", " ") for k in SignalsRecordKind}


def test_signal_table_and_encoder_offsets(spec_text):
    rows = offset_rows(section(spec_text, "### Kind 1: signal"))
    expected = {
        "kind = 1": (layout.RECORD_KIND_OFFSET, 1),
        "target type": (layout.SIGNAL_TARGET_TYPE_OFFSET, 1),
        "side": (layout.SIGNAL_SIDE_OFFSET, 1),
        "urgency": (layout.SIGNAL_URGENCY_OFFSET, 1),
        "model id": (layout.SIGNAL_MODEL_ID_OFFSET, 4),
        "symbol": (layout.SIGNAL_SYMBOL_OFFSET, layout.NAME_SIZE),
        "target (": (layout.SIGNAL_TARGET_OFFSET, 8),
        "limit price": (layout.SIGNAL_LIMIT_PRICE_OFFSET, 8),
        "time to live": (layout.SIGNAL_TTL_OFFSET, 4),
        "zero": (layout.SIGNAL_ZERO_OFFSET, 4),
        "client tag": (layout.RECORD_TAG_OFFSET, 8),
        "created": (layout.RECORD_TIME_OFFSET, 8),
    }
    for prefix, offset_size in expected.items():
        assert field_offset(rows, prefix) == offset_size, prefix
    field = {f.split(":")[0]: f for _, _, f in rows}
    assert numbered_names(field["target type"]) == {1: "quantity", 2: "position"}
    assert {TargetType.QUANTITY: 1, TargetType.POSITION: 2} == {t: t.value for t in TargetType}
    assert numbered_names(field["side (quantity targets)"]) == {1: "buy", 2: "sell", 0: "for position targets"}
    assert (Side.BUY, Side.SELL, Side.NONE) == (1, 2, 0)
    assert numbered_names(field["urgency"]) == {0: "passive", 1: "aggressive"}
    assert (Urgency.PASSIVE, Urgency.AGGRESSIVE) == (0, 1)

    # The encoder puts each field where the table says.
    record = encode_signal("MSFT", 250, Decimal("412.3456"), side="sell", urgency="aggressive", ttl_ms=70_000,
                           model_id=0xA1B2C3D4, tag=0xFEDCBA9876543210, created_ns=1_763_700_000_123_456_789)
    assert record[8] == 1 and record[9] == 1 and record[10] == 2 and record[11] == 1
    assert int.from_bytes(record[12:16], "little") == 0xA1B2C3D4
    assert record[16:24] == b"MSFT    "
    assert struct.unpack_from("<q", record, 24)[0] == 250
    assert struct.unpack_from("<q", record, 32)[0] == 4_123_456
    assert int.from_bytes(record[40:44], "little") == 70_000
    assert record[44:48] == bytes(4)
    assert int.from_bytes(record[48:56], "little") == 0xFEDCBA9876543210
    assert int.from_bytes(record[56:64], "little") == 1_763_700_000_123_456_789
    negative = encode_signal("MSFT", -1200, 1, created_ns=0)
    assert struct.unpack_from("<q", negative, 24)[0] == -1200 and negative[24:32] == (2**64 - 1200).to_bytes(8, "little")


def test_risk_update_table_and_limit_codes(spec_text):
    rows = offset_rows(section(spec_text, "### Kind 2: risk update"))
    assert field_offset(rows, "limit:") == (layout.RISK_LIMIT_OFFSET, 1)
    assert field_offset(rows, "account") == (layout.RISK_ACCOUNT_OFFSET, 8)
    assert field_offset(rows, "value") == (layout.RISK_VALUE_OFFSET, 8)
    assert field_offset(rows, "symbol") == (layout.RISK_SYMBOL_OFFSET, 8)
    limits = numbered_names([f for _, _, f in rows if f.startswith("limit:")][0])
    assert set(limits) == {limit.value for limit in Limit}
    for code, words in limits.items():
        name = words.replace(" ", "_").upper()
        assert Limit(code).name.startswith(name), (code, words, Limit(code).name)
    value_text = [f for _, _, f in rows if f.startswith("value")][0]
    assert "1,000,000.00 = 10,000,000,000" in value_text
    assert layout.CURRENCY_LIMITS == {Limit.MAX_ORDER_NOTIONAL, Limit.MAX_TOTAL_EXPOSURE}
    assert "notional and exposure in 4-implied-decimal" in value_text


def test_kill_switch_and_reference_price_tables(spec_text):
    rows = offset_rows(section(spec_text, "### Kind 3: kill switch"))
    assert field_offset(rows, "1 engage") == (layout.KILL_SWITCH_STATE_OFFSET, 1)
    assert field_offset(rows, "account") == (layout.KILL_SWITCH_ACCOUNT_OFFSET, 8)
    assert (layout.KILL_SWITCH_ENGAGE, layout.KILL_SWITCH_RELEASE) == (1, 0)
    rows = offset_rows(section(spec_text, "### Kind 4: reference price"))
    assert field_offset(rows, "symbol") == (layout.REFERENCE_PRICE_SYMBOL_OFFSET, 8)
    assert field_offset(rows, "price") == (layout.REFERENCE_PRICE_PRICE_OFFSET, 8)


def test_fills_table(spec_text):
    text = section(spec_text, "## Fills ring records (64 bytes)")
    expected_offsets = {
        FillsRecordKind.ACKNOWLEDGEMENT: [layout.ANSWER_RECORD_KIND_OFFSET, layout.ANSWER_SIGNAL_SEQUENCE_OFFSET],
        FillsRecordKind.REJECTION: [layout.ANSWER_RECORD_KIND_OFFSET, layout.REJECTION_REASON_OFFSET,
                                    layout.ANSWER_SIGNAL_SEQUENCE_OFFSET],
        FillsRecordKind.ORDER: [layout.ORDER_SIDE_OFFSET, layout.ORDER_MODEL_ID_OFFSET, layout.ORDER_SYMBOL_OFFSET,
                                layout.ORDER_QUANTITY_OFFSET, layout.ORDER_PRICE_OFFSET, layout.ORDER_REFERENCE_OFFSET],
        FillsRecordKind.FILL: [layout.FILL_SIDE_OFFSET, layout.FILL_LIQUIDITY_OFFSET, layout.FILL_SYMBOL_OFFSET,
                               layout.FILL_QUANTITY_OFFSET, layout.FILL_PRICE_OFFSET, layout.FILL_MATCH_NUMBER_OFFSET],
        FillsRecordKind.POSITION: [layout.POSITION_SYMBOL_OFFSET, layout.POSITION_POSITION_OFFSET,
                                   layout.POSITION_AVERAGE_PRICE_OFFSET],
    }
    rows = table_rows(text)
    assert len(rows) == len(FillsRecordKind)
    for kind_cell, _meaning, fields in rows:
        code, name = kind_cell.split(" ", 1)
        kind = FillsRecordKind(int(code))
        assert kind.name.lower() == name
        offsets = [int(m) for m in re.findall(r"(?:^|; )(\d+)(?:–\d+)?:", fields)]
        assert offsets == expected_offsets[kind], kind
    fill_row = [r for r in rows if r[0] == "4 fill"][0]
    assert "liquidity (1 added, 2 removed)" in fill_row[2]
    assert (layout.Liquidity.ADDED, layout.Liquidity.REMOVED) == (1, 2)
    flat = " ".join(text.split())
    assert "bytes 0–7 sequence, byte 8 kind, bytes 48–55 the client tag" in flat


def test_rejection_reasons(spec_text):
    text = " ".join(section(spec_text, "## Fills ring records (64 bytes)").split())
    paragraph = text.split("Rejection reasons (u16):", 1)[1]
    spec_reasons = {int(code): name for code, name in re.findall(r"\b(1\d{3}) ([a-z]+(?: [a-z]+)*)", paragraph)}
    ours = {code: name for code, name in layout.REJECT_REASON_NAMES.items() if code > 1000}
    assert spec_reasons == ours
    assert layout.REJECT_STALE == 1005 and layout.reject_reason_name(1005) == "stale"
    assert layout.reject_reason_name(1) == "unknown symbol"
    assert layout.reject_reason_name(4242) == "reason 4242"
