"""CIFT Gateway's Python side: signals in, fills out, over the shared-memory rings of
specs/shm-ring.md."""

from .fills import (
    Acknowledgement,
    Fill,
    FillReader,
    FillsRecord,
    OrderCreated,
    PositionUpdate,
    Rejection,
    UnknownFillsRecord,
)
from .layout import Limit, Liquidity, RingKind, Side, TargetType, Urgency
from .ring import RingFullError, RingLayoutError, SharedMemoryRing
from .signals import RiskControl, SignalFieldError, SignalWriter

__version__ = "0.1.0"

__all__ = [
    "Acknowledgement", "Fill", "FillReader", "FillsRecord", "OrderCreated", "PositionUpdate", "Rejection",
    "UnknownFillsRecord", "Limit", "Liquidity", "RingKind", "Side", "TargetType", "Urgency",
    "RingFullError", "RingLayoutError", "SharedMemoryRing", "RiskControl", "SignalFieldError", "SignalWriter",
]
