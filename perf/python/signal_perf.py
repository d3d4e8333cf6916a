#!/usr/bin/env python3
"""Python -> shared-memory ring -> engine -> fills ring, measured (perf/README.md,
"Risk gates and the shared-memory ring"). Run by perf/scripts/signal-perf.sh, which
builds and starts the gateway; two subcommands:

  config   the gateway's default configuration (`cift-gateway config`, on stdin) with
           the harness's overrides applied key by key, written to --out;
  measure  attaches to the rings of a running gateway and measures:

  (a) single mode: N records sent one at a time with the cift package's public calls
      (RiskControl.set_limit for risk updates, SignalWriter.send for signals), each
      waited for (its acknowledgement on the fills ring) before the next (and, for
      risk updates, again with 1 ms between records, so the bridge has parked):
        publish -> ack          time.perf_counter_ns before the call .. the ack polled
        created -> gateway read ack.time - the record's created time (bytes 56-63),
                                both CLOCK_REALTIME: the published record to the
                                engine's decision (see the README for what it holds)
        created -> call return  the package's own work after it stamped the record
                                (encode, slot write, tail store, return)
        gw read -> ack seen     time.time_ns when Python has the ack - ack.time: the
                                engine, the bridge's way back and Python's polling
  (b) records per second: signals sent back to back with send() and in batches with
      send_many() (numpy columns), counted from the first send until the gateway has
      acknowledged every one of them (the fills ring is drained as it goes).

Signals are aggressive (IOC) buys of 100 shares at 100.00 of one symbol on a book with
no sellers: each is accepted (acknowledged) and its order canceled at once, so nothing
rests and every signal costs the engine the same. The fills ring gets two records per
signal (acknowledgement, order).
"""
from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "python"))

from cift import Acknowledgement, FillReader, Rejection, RiskControl, SignalWriter  # noqa: E402


# --- config ----------------------------------------------------------------------------


def write_config(defaults: str, overrides: dict[tuple[str, str], str], out: str) -> None:
    """Replaces `key = value` lines of single-table sections ([engine], [fix], ...);
    the top level is section "". Every override must find its line."""
    section = ""
    lines = []
    done = set()
    for line in defaults.splitlines():
        stripped = line.strip()
        if stripped.startswith("["):
            section = stripped.split("]")[0].strip("[")
        elif "=" in stripped and not stripped.startswith("#"):
            key = stripped.split("=", 1)[0].strip()
            if (section, key) in overrides:
                line = f"{key} = {overrides[(section, key)]}"
                done.add((section, key))
        lines.append(line)
    missing = set(overrides) - done
    if missing:
        raise SystemExit(f"config: keys not found in the defaults: {sorted(missing)}")
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")


# --- measuring -------------------------------------------------------------------------


class Acks:
    """Drains the fills ring, remembering which signals-ring sequences were answered."""

    def __init__(self, reader: FillReader) -> None:
        self.reader = reader
        self.acked = 0
        self.rejected = 0
        self.last_reason = ""
        self.highest = 0
        self.last_ack: Acknowledgement | None = None

    def drain(self) -> int:
        """Every record available now; returns how many acknowledgements/rejections."""
        answered = 0
        poll = self.reader.poll
        while True:
            record = poll()
            if record is None:
                return answered
            if isinstance(record, Acknowledgement):
                self.acked += 1
                answered += 1
                self.last_ack = record
                self.highest = max(self.highest, record.signal_sequence)
            elif isinstance(record, Rejection):
                self.rejected += 1
                answered += 1
                self.last_reason = record.reason_name
                self.highest = max(self.highest, record.signal_sequence)

    def wait_for(self, sequence: int, timeout_s: float) -> Acknowledgement | None:
        """Spins on the fills ring until `sequence` is answered; its ack, or None
        (rejected or timed out)."""
        poll = self.reader.poll
        deadline = time.monotonic() + timeout_s
        spins = 0
        while True:
            record = poll()
            if record is None:
                spins += 1
                if spins & 0x3FF == 0 and time.monotonic() > deadline:
                    return None
                continue
            if isinstance(record, Acknowledgement):
                self.acked += 1
                self.highest = max(self.highest, record.signal_sequence)
                if record.signal_sequence == sequence:
                    return record
            elif isinstance(record, Rejection):
                self.rejected += 1
                self.last_reason = record.reason_name
                self.highest = max(self.highest, record.signal_sequence)
                if record.signal_sequence == sequence:
                    return None


class StampingClock:
    """time.time_ns, remembering the last value: the created time the package stamped."""

    def __init__(self) -> None:
        self.last = 0

    def __call__(self) -> int:
        self.last = time.time_ns()
        return self.last


def percentiles(values: list[int]) -> tuple[float, float, float, float]:
    a = np.asarray(values, dtype=np.int64)
    p50, p90, p99 = np.percentile(a, [50, 90, 99])
    return p50, p90, p99, float(a.max())


def single_mode(name, call, clock, acks, count, duration, warmup, gap_s=0.0):
    """`call(i)` publishes record i and returns its sequence; `gap_s` of sleep after
    each answer (0: the next record at once)."""
    publish_to_ack, created_to_read, created_to_return, read_to_seen = [], [], [], []
    failures = 0
    start = time.monotonic()
    for i in range(warmup + count):
        if time.monotonic() - start > duration:
            break
        if gap_s:
            time.sleep(gap_s)
        t0 = time.perf_counter_ns()
        sequence = call(i)
        returned = time.time_ns()
        created = clock.last
        ack = acks.wait_for(sequence, 1.0)
        t1 = time.perf_counter_ns()
        seen = time.time_ns()
        if ack is None:
            failures += 1
            continue
        if i < warmup:
            continue
        publish_to_ack.append(t1 - t0)
        created_to_read.append(ack.time_ns - created)
        created_to_return.append(returned - created)
        read_to_seen.append(seen - ack.time_ns)
    return {
        "name": name, "samples": len(publish_to_ack), "failures": failures,
        "publish_to_ack": percentiles(publish_to_ack) if publish_to_ack else None,
        "created_to_read": percentiles(created_to_read) if created_to_read else None,
        "created_to_return": percentiles(created_to_return) if created_to_return else None,
        "read_to_seen": percentiles(read_to_seen) if read_to_seen else None,
    }


def rate_mode(name, writer, acks, symbol, count, duration, batch, window):
    """Signals back to back (batch 1: send(); else send_many() of `batch`), at most
    `window` unanswered; records/s from the first send to the last acknowledgement."""
    first_sequence = writer.ring.tail + 1  # the next record's sequence
    acks.drain()
    answered_before = acks.acked + acks.rejected
    sent = 0
    publish_ns = 0
    start = time.perf_counter_ns()
    deadline = time.monotonic() + duration
    symbols = [symbol] * batch
    targets = np.full(batch, 100, dtype=np.int64)
    prices = np.full(batch, 100, dtype=np.int64)
    while sent < count and time.monotonic() < deadline:
        while sent - (acks.acked + acks.rejected - answered_before) > window:
            acks.drain()
        if batch == 1:
            t0 = time.perf_counter_ns()
            writer.send(symbol, 100, 100, side="buy", urgency="aggressive", tag=sent, timeout=5.0)
            publish_ns += time.perf_counter_ns() - t0
            sent += 1
        else:
            n = min(batch, count - sent)
            t0 = time.perf_counter_ns()
            writer.send_many(symbols[:n], targets[:n], prices[:n], sides="buy", urgency="aggressive",
                             tags=np.arange(sent, sent + n, dtype=np.uint64), timeout=5.0)
            publish_ns += time.perf_counter_ns() - t0
            sent += n
        acks.drain()
    last = first_sequence + sent - 1
    wait_deadline = time.monotonic() + 10
    while acks.highest < last and time.monotonic() < wait_deadline:
        acks.drain()
    end = time.perf_counter_ns()
    answered = acks.acked + acks.rejected - answered_before
    return {
        "name": name, "sent": sent, "answered": answered, "complete": acks.highest >= last,
        "seconds": (end - start) / 1e9, "rate": sent * 1e9 / (end - start),
        "publish_rate": sent * 1e9 / max(publish_ns, 1), "batch": batch,
        "overflow": acks.reader.overflow_count,
    }


def us(ns: float) -> str:
    return f"{ns / 1000:,.1f}"


def measure(args) -> int:
    writer = SignalWriter.open(args.signals)
    clock = StampingClock()
    writer.clock_ns = clock
    risk = RiskControl(writer)
    reader = FillReader.open(args.fills)
    acks = Acks(reader)
    acks.drain()

    results = []

    def risk_call(i):
        # Non-binding values, alternating so each update is a real change.
        return risk.set_limit(args.risk_account, "max_order_quantity", 1_000_000 + 100 * (i & 1), timeout=1.0)

    results.append(single_mode("risk update (set_limit)", risk_call, clock, acks,
                               args.count, args.duration, args.warmup))

    # The same, with the records 1 ms apart: the bridge thread has stopped spinning
    # and parked (spin-park) by the time each record arrives.
    results.append(single_mode("risk update, 1 ms apart", risk_call, clock, acks,
                               min(args.count, args.sparse_count), args.duration, 100, gap_s=0.001))

    def signal_call(i):
        return writer.send(args.symbol, 100, 100, side="buy", urgency="aggressive", tag=i, timeout=1.0)

    results.append(single_mode("signal (send, IOC)", signal_call, clock, acks,
                               args.count, args.duration, args.warmup))

    rates = [
        rate_mode("send() one at a time", writer, acks, args.symbol, args.rate_count, args.duration, 1, args.window),
        rate_mode(f"send_many() batches of {args.batch}", writer, acks, args.symbol, args.rate_count,
                  args.duration, args.batch, args.window),
    ]

    print()
    print(f"wait strategy of the bridge thread: {args.wait_strategy}")
    print("single mode: one record at a time, each waited for (µs)")
    print(f"{'record':<26} {'n':>7} {'fail':>5} | {'publish->ack p50':>16} {'p90':>7} {'p99':>7} {'max':>8} "
          f"| {'created->gw read p50':>20} {'p90':>7} {'p99':>7} {'max':>8} | {'created->return p50':>19} {'p99':>6} "
          f"| {'gw read->ack seen p50':>21} {'p99':>8}")
    for r in results:
        if r["publish_to_ack"] is None:
            print(f"{r['name']:<26} no samples ({r['failures']} failures; last rejection: {acks.last_reason})")
            continue
        a, b, c, d = r["publish_to_ack"], r["created_to_read"], r["created_to_return"], r["read_to_seen"]
        print(f"{r['name']:<26} {r['samples']:>7} {r['failures']:>5} | {us(a[0]):>16} {us(a[1]):>7} {us(a[2]):>7} "
              f"{us(a[3]):>8} | {us(b[0]):>20} {us(b[1]):>7} {us(b[2]):>7} {us(b[3]):>8} | {us(c[0]):>19} {us(c[2]):>6} "
              f"| {us(d[0]):>21} {us(d[2]):>8}")
    print()
    print("records per second, counted until the gateway acknowledged them all")
    print(f"{'mode':<28} {'sent':>8} {'answered':>9} {'s':>7} {'records/s':>11} {'publish calls only':>19} {'overflow':>9}")
    for r in rates:
        flag = "" if r["complete"] else "  (NOT all acknowledged)"
        print(f"{r['name']:<28} {r['sent']:>8} {r['answered']:>9} {r['seconds']:>7.2f} {r['rate']:>11,.0f} "
              f"{r['publish_rate']:>19,.0f} {r['overflow']:>9}{flag}")
    print()
    target_met = []
    for r in results:
        if r["created_to_read"] is not None:
            p50 = r["created_to_read"][0]
            target_met.append(p50 < 5000)
            print(f"target: p50 < 5 µs from the published record to the engine's decision "
                  f"({r['name']}): p50 {us(p50)} µs -> {'met' if p50 < 5000 else 'MISSED'}")
    print("  (created -> gateway read: from the package's CLOCK_REALTIME stamp, taken before it encodes and")
    print("   publishes the record, to the bridge thread's clock read when it picked the record up; the engine")
    print("   decides with that time as the command's timestamp. It includes the package's encode + publish after")
    print("   the stamp, and the bridge's poll delay; it excludes the engine's own processing and the way back.)")
    if acks.rejected:
        print(f"rejections: {acks.rejected} (last: {acks.last_reason})")
    reader.close()
    writer.close()
    ok = all(r["samples"] > 0 and r["failures"] == 0 for r in results) and all(r["complete"] for r in rates)
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("config")
    c.add_argument("--out", required=True)
    c.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=TOML",
                   help="an override; SECTION empty for the top level (.data_dir=...)")
    m = sub.add_parser("measure")
    m.add_argument("--signals", required=True)
    m.add_argument("--fills", required=True)
    m.add_argument("--count", type=int, default=20_000, help="records per single-mode run")
    m.add_argument("--warmup", type=int, default=1_000)
    m.add_argument("--sparse-count", type=int, default=3_000, help="records of the 1 ms apart run")
    m.add_argument("--rate-count", type=int, default=200_000, help="signals per records/s run")
    m.add_argument("--batch", type=int, default=256)
    m.add_argument("--window", type=int, default=16_384, help="most unanswered signals in the records/s runs")
    m.add_argument("--duration", type=float, default=30.0, help="seconds at most per run")
    m.add_argument("--symbol", default="AAPL")
    m.add_argument("--risk-account", default="ACC1")
    m.add_argument("--wait-strategy", default="?", help="for the report only")
    args = parser.parse_args()
    if args.command == "config":
        overrides = {}
        for item in args.set:
            key, value = item.split("=", 1)
            section, name = key.rsplit(".", 1)
            overrides[(section, name)] = value
        write_config(sys.stdin.read(), overrides, args.out)
        return 0
    return measure(args)


if __name__ == "__main__":
    sys.exit(main())
