#!/usr/bin/env python3
"""Writes the seed corpora under fuzz/corpus/<target>/ (committed; run again after
changing a seed here: `python3 fuzz/make-corpus.py`). Seeds are small valid inputs that
take each target deep quickly, plus the inputs of crashes already fixed, kept as
regression seeds. Each target's input format is described in its Swift file."""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
SOH = b"\x01"


def write(target, name, data):
    folder = os.path.join(HERE, "corpus", target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


# --- FIX ---------------------------------------------------------------------------
T0 = "20240102-14:30:00"
HEADER = "49=BANK1|56=CIFT|34={seq}|52={time}|"
LOGON = "35=A|" + HEADER + "98=0|108=30|553=trader|554=secret|"
NEW_ORDER = "35=D|" + HEADER + "11={id}|55=AAPL|54=1|60={time}|38=100|40=2|44=150.25|59=0|"
CANCEL = "35=F|" + HEADER + "41=ORD1|11=CXL1|55=AAPL|54=1|60={time}|38=100|"
REPLACE = "35=G|" + HEADER + "41=ORD2|11=RPL2|55=AAPL|54=1|60={time}|38=200|40=2|44=150.30|"
STATUS = "35=H|" + HEADER + "11=ORD1|55=AAPL|54=1|"
MASS_CANCEL = "35=q|" + HEADER + "11=MC1|530=7|60={time}|"
SELL = "35=D|" + HEADER + "11={id}|55=AAPL|54=2|60={time}|38=50|40=2|44=150.00|"
MARKET = "35=D|" + HEADER + "11={id}|55=MSFT|54=1|60={time}|38=100|40=1|59=3|"
RESEND = "35=2|" + HEADER + "7=1|16=0|"
SEQ_RESET = "35=4|" + HEADER + "123=Y|36={next}|"
TEST_REQUEST = "35=1|" + HEADER + "112=PING|"
HEARTBEAT = "35=0|" + HEADER
LOGOUT = "35=5|" + HEADER


def framed(body):
    """8=FIX.4.4|9=..|<body>10=..| with `|` for SOH, BodyLength and CheckSum worked out."""
    b = body.replace("|", "\x01").encode()
    head = b"8=FIX.4.4\x019=" + str(len(b)).encode() + SOH + b
    return head + b"10=%03d\x01" % (sum(head) % 256)


def lines(*bodies):
    return "\n".join(bodies).encode() + b"\n"


def msg(template, seq, time=T0, **fields):
    return template.format(seq=seq, time=time, **fields)


trading_day = lines(
    msg(LOGON, 1),
    msg(NEW_ORDER, 2, id="ORD1"),
    msg(NEW_ORDER, 3, id="ORD2"),
    msg(SELL, 4, id="ORD3"),
    msg(CANCEL, 5),
    msg(REPLACE, 6),
    msg(STATUS, 7),
    msg(MARKET, 8, id="ORD4"),
    msg(MASS_CANCEL, 9),
    msg(LOGOUT, 10),
)
write("FIXSessionFuzzer", "logon", lines(msg(LOGON, 1)))
write("FIXSessionFuzzer", "trading-day", trading_day)
write("FIXSessionFuzzer", "session-layer", lines(
    msg(LOGON, 1), msg(HEARTBEAT, 2), msg(TEST_REQUEST, 3), msg(NEW_ORDER, 6, id="GAP1"), msg(RESEND, 4),
    msg(SEQ_RESET, 4, next=7), "@t40", msg(HEARTBEAT, 7), "@t100", "@c", msg(LOGON, 8), msg(LOGOUT, 9)))
write("FIXSessionFuzzer", "raw-logon-order", framed(msg(LOGON, 1)) + framed(msg(NEW_ORDER, 2, id="RAW1")))
# Regression seeds: both trapped the process before the UTCTimestamp range check
# (SendingTime past 2262 on a Logon; TransactTime before 1678 on a NewOrderSingle).
write("FIXSessionFuzzer", "regression-logon-sendingtime-9999", lines(msg(LOGON, 1, time="99991231-23:59:59")))
write("FIXSessionFuzzer", "regression-order-transacttime-0000", lines(
    msg(LOGON, 1), NEW_ORDER.format(seq=2, time=T0, id="OLD1").replace("60=" + T0, "60=00000101-00:00:00")))
# Regression seed: NewSeqNo Int.max made Int.max the expected number, and the message
# carrying it trapped on `seq + 1`.
INT64_MAX = str(2**63 - 1)
write("FIXSessionFuzzer", "regression-newseqno-int64-max", lines(
    msg(LOGON, 1), msg(SEQ_RESET, 2, next=INT64_MAX), "35=0|" + HEADER.format(seq=INT64_MAX, time=T0)))

write("FIXFrameFuzzer", "logon-order", b"\x00" + framed(msg(LOGON, 1)) + framed(msg(NEW_ORDER, 2, id="ORD1")))
write("FIXFrameFuzzer", "trading-day-cut", b"\x13" + b"".join(framed(l) for l in trading_day.decode().split("\n") if l))
write("FIXFrameFuzzer", "garbage-and-bad-checksum",
      b"\x00xx8=FIX.4.2\x019=5\x01" + framed(msg(HEARTBEAT, 3))[:-4] + b"999\x01" + framed(msg(HEARTBEAT, 4)))
write("FIXFrameFuzzer", "regression-logon-sendingtime-9999", b"\x00" + framed(msg(LOGON, 1, time="99991231-23:59:59")))
write("FIXFrameFuzzer", "regression-order-transacttime-0000", b"\x00" + framed(
    NEW_ORDER.format(seq=2, time=T0, id="OLD1").replace("60=" + T0, "60=00000101-00:00:00")))
write("FIXFrameFuzzer", "fractions", b"\x00" + framed(msg(HEARTBEAT, 2, time="20240102-14:30:00.123456789"))
      + framed(msg(HEARTBEAT, 3, time="20240102-14:30:00.123456")))

# --- SoupBinTCP / OUCH ---------------------------------------------------------------
def soup(kind, payload=b""):
    return struct.pack(">H", len(payload) + 1) + kind + payload


def login(user=b"OUCH01", password=b"demo", sequence=b"0", timeout=b"0"):
    return soup(b"L", user.ljust(6) + password.ljust(10) + b" " * 10 + sequence.rjust(20) + timeout.rjust(5))


def enter(ref, side=b"B", qty=100, symbol=b"AAPL", price=1_502_500, tif=b"0", clordid=b"ORD", appendage=b""):
    body = (b"O" + struct.pack(">I", ref) + side + struct.pack(">I", qty) + symbol.ljust(8)
            + struct.pack(">Q", price) + tif + b"Y" + b"A" + b"N" + b"N" + clordid.ljust(14))
    return soup(b"U", body + struct.pack(">H", len(appendage)) + appendage)


def replace(old, new, qty=200, price=1_503_000):
    return soup(b"U", b"U" + struct.pack(">IIIQ", old, new, qty, price) + b"0" + b"Y" + b"N"
                + b"ORD-2".ljust(14) + b"\x00\x00")


def cancel(ref, qty=0):
    return soup(b"U", b"X" + struct.pack(">II", ref, qty))


def modify(ref, side=b"T", qty=50):
    return soup(b"U", b"M" + struct.pack(">I", ref) + side + struct.pack(">I", qty))


def record(op, data=b"", length=None):
    return bytes([op, len(data) if length is None else length]) + data


FIRM_POST_ONLY = bytes.fromhex("0502") + b"FRMA" + bytes.fromhex("020c50")
write("OUCHSessionFuzzer", "login", record(0, login()))
write("OUCHSessionFuzzer", "orders", b"".join([
    record(0, login()),
    record(0, enter(1)),
    record(0, enter(2, side=b"S", price=1_502_500)),
    record(0, enter(3, qty=300, tif=b"3")),
    record(0, replace(3, 4)),
    record(0, modify(4)),
    record(0, cancel(4)),
    record(1, login(b"OUCH02", b"Secret")),
    record(1, enter(1, side=b"S", clordid=b"B-1", appendage=FIRM_POST_ONLY)),
    record(1, enter(2, symbol=b"PENNY", price=10_001)),
    record(2, length=20),
    record(0, soup(b"R")),
    record(0, soup(b"O")),
]))
write("OUCHSessionFuzzer", "replay-after-reconnect", b"".join([
    record(0, login()), record(0, enter(1)), record(0, enter(2)), record(3, length=0),
    record(0, login(sequence=b"1")), record(2, length=5), record(4), record(2, length=200),
]))
write("OUCHSessionFuzzer", "split-packets", b"".join([
    record(0, login()[:10]), record(0, login()[10:]), record(0, enter(7)[:3]), record(0, enter(7)[3:] + cancel(7)),
]))

# --- MoldUDP64 retransmission requests -----------------------------------------------
def request(sequence, count, session=b"CIFT240102"):
    return session + struct.pack(">QH", sequence, count)


def datagram(address, step, data):
    return bytes([address, step, len(data)]) + data


write("MoldUDP64RequestFuzzer", "requests", b"\x00" + b"".join([
    datagram(1, 0, request(1, 10)), datagram(1, 0, request(495, 100)), datagram(2, 1, request(250, 1)),
    datagram(3, 0, request(501, 1)), datagram(3, 0, request(0, 5)), datagram(4, 0, request(7, 0)),
    datagram(5, 0, request(7, 3, b"OTHER     ")), datagram(6, 0, request(7, 3)[:19]),
]))
write("MoldUDP64RequestFuzzer", "small-packets-flood", b"\x15" + b"".join(
    datagram(9, 2, request(1 + 37 * i, 65535)) for i in range(10)))

# --- Snapshot requests ----------------------------------------------------------------
snapshot_login = soup(b"L", b"".ljust(6) + b"".ljust(10) + b"".ljust(10) + b"1".rjust(20))
write("SnapshotRequestFuzzer", "all-symbols", b"\x3f" + snapshot_login + soup(b"U"))
write("SnapshotRequestFuzzer", "some-symbols-cut", b"\x02" + snapshot_login + soup(b"R")
      + soup(b"U", b"AAPL    PENNY   NOPE    "))
write("SnapshotRequestFuzzer", "malformed-request", b"\x3f" + snapshot_login + soup(b"U", b"AAPL"))
write("SnapshotRequestFuzzer", "request-before-login", b"\x3f" + soup(b"U", b"AAPL    ") + snapshot_login)

# --- Signals-ring records ---------------------------------------------------------------
def signal_record(sequence, kind, byte9=0, byte10=0, byte11=0, model=7, name=b"AAPL", value=0, price=0,
                  ttl=0, tag=0, created=0, price_name=None):
    price_field = price_name.ljust(8) if price_name is not None else struct.pack("<q", price)
    return (struct.pack("<QBBBBI", sequence, kind, byte9, byte10, byte11, model) + name.ljust(8)
            + struct.pack("<q", value) + price_field + struct.pack("<IIQq", ttl, 0, tag, created))


NOW = 1_704_205_800_000_000_000
write("SignalRecordFuzzer", "every-kind", b"".join([
    signal_record(1, 1, byte9=1, byte10=1, value=100, price=1_500_000, ttl=5000, created=NOW - 1_000_000),
    signal_record(2, 1, byte9=2, value=-300, price=1_499_900, byte11=1),
    signal_record(3, 2, byte9=1, name=b"ACC1", value=500),
    signal_record(4, 2, byte9=8, name=b"ACC2", price_name=b"MSFT"),
    signal_record(5, 3, byte9=1, name=b"ACC1"),
    signal_record(6, 4, name=b"MSFT", price=3_000_000),
    signal_record(7, 9),
]))
# Regression seeds: a position target of Int64.min (abs trapped) and a created time of
# Int64.min with a TTL (the age subtraction overflowed).
write("SignalRecordFuzzer", "regression-position-int64-min",
      signal_record(1, 1, byte9=2, value=-2**63, price=1_500_000))
write("SignalRecordFuzzer", "regression-created-int64-min-ttl",
      signal_record(1, 1, byte9=1, byte10=1, value=100, price=1_500_000, ttl=1000, created=-2**63))
