"""examples/momentum.py end to end against ring files in a temporary directory."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from cift.fills import Acknowledgement, PositionUpdate, encode_fills_record
from cift.layout import RingKind, Side, TargetType
from cift.ring import SharedMemoryRing
from cift.signals import decode_signals_record, from_fixed4

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "momentum.py"


def run_example(*args: str) -> str:
    result = subprocess.run([sys.executable, str(EXAMPLE), *args], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_momentum_from_a_prices_csv_sends_position_targets(tmp_path, make_ring):
    signals = make_ring(RingKind.SIGNALS, 1024, "signals")
    fills = make_ring(RingKind.FILLS, 64, "fills")
    fills.try_publish(encode_fills_record(Acknowledgement(0, 2, 17, 0, 1)))
    fills.try_publish(encode_fills_record(PositionUpdate(0, "AAPL", 300, 1_000_000, 0, 2)))
    prices = tmp_path / "prices.csv"
    rows = ["time,AAPL,MSFT"] + [f"{t},{100 * 1.004 ** t:.4f},{200 * 0.996 ** t:.4f}" for t in range(200)]
    prices.write_text("\n".join(rows) + "\n")

    out = run_example("--prices", str(prices), "--signals", str(tmp_path / "signals"), "--fills",
                      str(tmp_path / "fills"), "--seconds", "20", "--max-signals", "12", "--interval", "0",
                      "--model-id", "5", "--urgency", "aggressive")
    assert "fills: Acknowledgement(" in out and "fills: PositionUpdate(" in out
    assert "momentum: 12 signals sent" in out
    assert fills.head == 2  # the example consumed what the "gateway" wrote

    records = []
    while (raw := signals.poll()) is not None:
        records.append(decode_signals_record(raw))
        signals.consume()
    assert len(records) == 12
    assert all(r.target_type is TargetType.POSITION and r.side is Side.NONE and r.model_id == 5 for r in records)
    assert all(r.limit_price % 100 == 0 for r in records)  # on the 0.01 tick
    assert all(r.urgency == 1 and r.ttl_ms == 1000 for r in records)
    aapl = [r for r in records if r.symbol == "AAPL"]
    msft = [r for r in records if r.symbol == "MSFT"]
    # Rising AAPL: long targets that grow; falling MSFT: short targets that grow.
    assert aapl and all(r.target > 0 and r.target % 100 == 0 for r in aapl)
    assert [r.target for r in aapl] == sorted(r.target for r in aapl)
    assert msft and all(r.target < 0 for r in msft)
    # The limit leans towards the trade, which the fills ring's position (AAPL +300, MSFT
    # flat) decides: above the step's price when buying, below when selling.
    assert any(r.target < 300 for r in aapl) and any(r.target > 300 for r in aapl)
    for record in aapl:
        price = Decimal(f"{100 * 1.004 ** record.tag:.4f}")  # the tag is the step
        limit = from_fixed4(record.limit_price)
        assert limit >= price if record.target > 300 else limit <= price, record
    for record in msft:
        assert from_fixed4(record.limit_price) <= Decimal(f"{200 * 0.996 ** record.tag:.4f}"), record
    for line in out.splitlines():
        if line.startswith("momentum: sent #"):
            assert "position" in line and "limit" in line


def test_momentum_random_walk_is_bounded(tmp_path, make_ring):
    signals = make_ring(RingKind.SIGNALS, 1024, "signals")
    out = run_example("--signals", str(tmp_path / "signals"), "--fills", str(tmp_path / "absent"),
                      "--seconds", "1", "--max-signals", "1000", "--interval", "0.01")
    assert "no fills ring" in out
    sent = int(out.strip().splitlines()[-1].split()[1])
    assert sent == signals.tail and sent < 1000
