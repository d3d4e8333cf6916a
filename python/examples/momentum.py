#!/usr/bin/env python3
"""A small momentum model that sends position targets to CIFT Gateway.

Each step it takes one price per symbol (from ``--prices FILE.csv``, or a numpy random
walk when none is given), updates a fast and a slow exponentially weighted moving
average of the log price, and turns their difference into a target position in round
lots. When a symbol's target changes it sends a position-target signal through
``SignalWriter`` to the signals ring (/dev/shm/cift-signals by default); the gateway
works out the order that reaches it. If the fills ring exists it also reads it, prints
what came back, and uses the position updates as the current position.

Run it against a gateway started with ``make run``::

    python3 python/examples/momentum.py --seconds 10 --max-signals 20
    python3 python/examples/momentum.py --prices prices.csv   # columns: one per symbol

Prices CSV: a header row naming the symbols (a ``time`` or ``timestamp`` column is
ignored), then one row per step, e.g. ``AAPL,MSFT`` / ``150.25,412.10``.

Wiring a real model in its place
--------------------------------
Everything model-specific is in ``MomentumModel``: ``update(prices) -> targets`` takes
a numpy array of the latest price per symbol and returns the wanted position per symbol
(signed shares, whole round lots). Replace it with any object that has the same method:

    class MyModel:
        def __init__(self, symbols):
            self.net = torch.jit.load("model.pt")        # or onnxruntime, sklearn, ...
            self.features = FeatureBuffer(symbols)
        def update(self, prices):
            x = self.features.push(prices)               # your features
            score = self.net(torch.from_numpy(x)).detach().numpy()
            return np.round(np.clip(score, -1, 1) * MAX_LOTS) * LOT

and pass it to ``run`` instead of ``MomentumModel``. Keep ``update`` faster than
``--interval``; the ring does not wait for the model, and a full signals ring raises
``RingFullError`` after ``--timeout`` rather than dropping a signal. Keep the limit
price on the symbol's tick (0.01 in the default directory): the gateway rejects prices
off the tick.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import time
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from pathlib import Path
from typing import Iterator, Optional

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without installing

from cift import FillReader, PositionUpdate, SignalWriter  # noqa: E402
from cift.layout import DEFAULT_FILLS_PATH, DEFAULT_SIGNALS_PATH  # noqa: E402

ROUND_LOT = 100
TICK = Decimal("0.01")


class MomentumModel:
    """Fast minus slow EWMA of the log price, scaled to a position in round lots."""

    def __init__(self, symbol_count: int, fast_halflife: float = 5.0, slow_halflife: float = 30.0,
                 sensitivity: float = 100.0, max_lots: int = 10) -> None:
        self.fast_alpha = 1.0 - 0.5 ** (1.0 / fast_halflife)
        self.slow_alpha = 1.0 - 0.5 ** (1.0 / slow_halflife)
        self.sensitivity = sensitivity
        self.max_lots = max_lots
        self.fast: Optional[np.ndarray] = None
        self.slow: Optional[np.ndarray] = None
        self.symbol_count = symbol_count

    def update(self, prices: np.ndarray) -> np.ndarray:
        """The target position per symbol (signed shares, whole round lots)."""
        log_price = np.log(prices)
        if self.fast is None:
            self.fast, self.slow = log_price.copy(), log_price.copy()
        self.fast += self.fast_alpha * (log_price - self.fast)
        self.slow += self.slow_alpha * (log_price - self.slow)
        momentum = self.fast - self.slow  # log return of the fast trend over the slow one
        lots = np.clip(np.round(momentum * self.sensitivity * self.max_lots), -self.max_lots, self.max_lots)
        return lots.astype(np.int64) * ROUND_LOT


def csv_prices(path: str) -> tuple[list[str], Iterator[np.ndarray]]:
    """The symbols of a prices CSV and an iterator over its rows."""
    file = open(path, newline="")
    reader = csv.reader(file)
    header = next(reader)
    columns = [i for i, name in enumerate(header) if name.strip().lower() not in ("time", "timestamp")]
    symbols = [header[i].strip() for i in columns]

    def rows() -> Iterator[np.ndarray]:
        with file:
            for row in reader:
                if row:
                    yield np.array([float(row[i]) for i in columns])

    return symbols, rows()


def random_walk(count: int, seed: int, start: float = 100.0, volatility: float = 0.002) -> Iterator[np.ndarray]:
    """Geometric random walks with a slowly drifting trend, so momentum has something to find."""
    rng = np.random.default_rng(seed)
    log_price = np.full(count, np.log(start)) + rng.normal(0, 0.5, count)
    drift = np.zeros(count)
    while True:
        drift = 0.98 * drift + rng.normal(0, volatility / 5, count)
        log_price += drift + rng.normal(0, volatility, count)
        yield np.exp(log_price)


def limit_price(price: float, buying: bool, slippage_bps: float) -> Decimal:
    """The last price moved by ``slippage_bps`` towards the other side, on the tick."""
    factor = 1 + slippage_bps / 10_000 if buying else 1 - slippage_bps / 10_000
    value = Decimal(repr(float(price * factor)))
    return value.quantize(TICK, rounding=ROUND_CEILING if buying else ROUND_FLOOR)


def run(args: argparse.Namespace) -> int:
    if args.prices:
        symbols, prices = csv_prices(args.prices)
    else:
        symbols = args.symbols.split(",")
        prices = random_walk(len(symbols), args.seed)
    model = MomentumModel(len(symbols))
    held = {symbol: 0 for symbol in symbols}  # from the fills ring's position updates
    wanted = {symbol: 0 for symbol in symbols}  # the last target sent

    writer = SignalWriter.open(args.signals)
    reader = FillReader.open(args.fills) if os.path.exists(args.fills) else None
    if reader is None:
        print(f"momentum: no fills ring at {args.fills}; positions are the targets sent")
    sent = 0
    overflow_seen = 0
    deadline = time.monotonic() + args.seconds
    try:
        for step, price in enumerate(prices):
            if time.monotonic() >= deadline or sent >= args.max_signals:
                break
            if reader is not None:
                for record in reader.drain():
                    print(f"momentum: fills: {record}")
                    if isinstance(record, PositionUpdate) and record.symbol in held:
                        held[record.symbol] = record.position
                if reader.overflow_count != overflow_seen:
                    overflow_seen = reader.overflow_count
                    print(f"momentum: fills ring overflowed: {overflow_seen} records missed")
            targets = model.update(price)
            for i, symbol in enumerate(symbols):
                target = int(targets[i])
                if target == wanted[symbol] or sent >= args.max_signals:
                    continue
                current = held[symbol] if reader is not None else wanted[symbol]
                limit = limit_price(price[i], target > current, args.slippage_bps)
                sequence = writer.send(symbol, target, limit, urgency=args.urgency, ttl_ms=args.ttl_ms,
                                       model_id=args.model_id, tag=step, timeout=args.timeout)
                wanted[symbol] = target
                sent += 1
                print(f"momentum: sent #{sequence}: {symbol} position {wanted[symbol]:+d} limit {limit} "
                      f"({args.urgency}, ttl {args.ttl_ms} ms, step {step})")
            if args.interval > 0:
                time.sleep(args.interval)
    finally:
        writer.close()
        if reader is not None:
            reader.close()
    print(f"momentum: {sent} signals sent")
    return 0


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="EWMA momentum → position targets on the CIFT signals ring")
    parser.add_argument("--prices", help="CSV of prices, one column per symbol (default: a random walk)")
    parser.add_argument("--symbols", default="AAPL,MSFT,NVDA", help="symbols of the random walk")
    parser.add_argument("--signals", default=DEFAULT_SIGNALS_PATH, help="the signals ring file")
    parser.add_argument("--fills", default=DEFAULT_FILLS_PATH, help="the fills ring file (optional)")
    parser.add_argument("--seconds", type=float, default=10.0, help="stop after this long")
    parser.add_argument("--max-signals", type=int, default=50, help="stop after sending this many")
    parser.add_argument("--interval", type=float, default=0.05, help="seconds between price steps")
    parser.add_argument("--urgency", choices=["passive", "aggressive"], default="passive")
    parser.add_argument("--ttl-ms", type=int, default=1000, help="signal time to live (0: none)")
    parser.add_argument("--slippage-bps", type=float, default=5.0, help="limit price offset from the last price")
    parser.add_argument("--model-id", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=1.0, help="how long to wait for room in the ring")
    parser.add_argument("--seed", type=int, default=7, help="random walk seed")
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
