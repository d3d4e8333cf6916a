"""The ring itself: attaching, the full ring, torn records, wrap-around, a producer in
another process, a producer killed mid-write, and a ring under /dev/shm."""

from __future__ import annotations

import multiprocessing
import os
import signal
import struct
import threading
import time
import uuid
from pathlib import Path

import pytest

from cift import layout
from cift.layout import RingKind
from cift.ring import RingFullError, RingLayoutError, SharedMemoryRing


def payload(n: int) -> bytes:
    """A distinct 64-byte record for record n (bytes 0–7 are the ring's)."""
    return bytes(8) + struct.pack("<QQ", n, n * 7919 % 2**64) + bytes([n % 251]) * 40


# --- attaching ------------------------------------------------------------------------


def corrupt(path: Path, offset: int, data: bytes) -> None:
    with open(path, "r+b") as file:
        file.seek(offset)
        file.write(data)


@pytest.mark.parametrize(
    "field, offset, data",
    [
        ("magic", 0, b"CIFTRINX"),
        ("version", 8, struct.pack("<I", 2)),
        ("record size", 12, struct.pack("<I", 128)),
        ("capacity", 16, struct.pack("<Q", 12)),
        ("ring kind", 24, struct.pack("<I", 2)),
        ("header size", 28, struct.pack("<I", 512)),
    ],
)
def test_attach_names_the_field_that_differs(tmp_path, field, offset, data):
    path = tmp_path / "ring"
    SharedMemoryRing.create(str(path), RingKind.SIGNALS, 8).close()
    corrupt(path, offset, data)
    with pytest.raises(RingLayoutError) as caught:
        SharedMemoryRing.attach(str(path), RingKind.SIGNALS)
    assert caught.value.field == field
    assert f"'{field}'" in str(caught.value) and str(path) in str(caught.value)


def test_attach_checks_kind_capacity_and_file_size(tmp_path):
    path = str(tmp_path / "ring")
    SharedMemoryRing.create(path, RingKind.FILLS, 16).close()
    with pytest.raises(RingLayoutError, match="'ring kind' is 2, expected 1"):
        SharedMemoryRing.attach(path, RingKind.SIGNALS)
    with pytest.raises(RingLayoutError, match="'capacity' is 16, expected 32"):
        SharedMemoryRing.attach(path, RingKind.FILLS, capacity=32)
    os.truncate(path, layout.file_size(16) - 64)
    with pytest.raises(RingLayoutError) as caught:
        SharedMemoryRing.attach(path, RingKind.FILLS)
    assert caught.value.field == "file size"
    os.truncate(path, 100)
    with pytest.raises(RingLayoutError, match="'file size'"):
        SharedMemoryRing.attach(path, RingKind.FILLS)


def test_create_refuses_an_existing_file_and_a_capacity_not_a_power_of_two(tmp_path):
    path = str(tmp_path / "ring")
    SharedMemoryRing.create(path, RingKind.SIGNALS, 8).close()
    with pytest.raises(FileExistsError):
        SharedMemoryRing.create(path, RingKind.SIGNALS, 8)
    with pytest.raises(ValueError):
        SharedMemoryRing.create(str(tmp_path / "other"), RingKind.SIGNALS, 12)
    assert oct(os.stat(path).st_mode & 0o777) == "0o600"
    assert os.path.getsize(path) == 384 + 8 * 64


def test_reattaching_keeps_the_indices_and_the_records(tmp_path):
    path = str(tmp_path / "ring")
    with SharedMemoryRing.create(path, RingKind.SIGNALS, 8) as producer:
        for n in range(5):
            producer.try_publish(payload(n))
    with SharedMemoryRing.attach(path, RingKind.SIGNALS) as consumer:
        consumer.poll()
        consumer.consume()
    with SharedMemoryRing.attach(path, RingKind.SIGNALS) as both:
        assert (both.tail, both.head) == (5, 1)
        assert both.poll()[8:] == payload(1)[8:]


# --- full ring ------------------------------------------------------------------------


def test_full_ring_is_a_value_then_an_error(make_ring):
    ring = make_ring(RingKind.SIGNALS, 8)
    for n in range(8):
        assert ring.try_publish(payload(n)) == n + 1
    assert ring.try_publish(payload(8)) is None
    assert ring.try_publish_many([payload(8)]) == 0
    started = time.monotonic()
    with pytest.raises(RingFullError):
        ring.publish(payload(8), timeout=0)
    assert time.monotonic() - started < 0.05
    started = time.monotonic()
    with pytest.raises(RingFullError, match="ring full"):
        ring.publish(payload(8), timeout=0.1)
    assert 0.1 <= time.monotonic() - started < 2.0
    assert ring.tail == 8  # nothing was written past the full ring
    # One consumed: one more fits, in slot 0, as record 8 (sequence 9).
    assert ring.poll()[8:] == payload(0)[8:]
    ring.consume()
    assert ring.publish(payload(8), timeout=0) == 9
    assert ring.try_publish(payload(9)) is None


def test_publish_waits_for_the_consumer(make_ring):
    ring = make_ring(RingKind.SIGNALS, 4)
    for n in range(4):
        ring.try_publish(payload(n))

    def consume_later() -> None:
        time.sleep(0.05)
        ring.poll()
        ring.consume()

    thread = threading.Thread(target=consume_later)
    thread.start()
    started = time.monotonic()
    assert ring.publish(payload(4), timeout=5.0) == 5
    assert time.monotonic() - started >= 0.04
    thread.join()


def test_publish_many_publishes_what_fits_then_raises(make_ring):
    ring = make_ring(RingKind.SIGNALS, 4)
    with pytest.raises(RingFullError) as caught:
        ring.publish_many([payload(n) for n in range(6)], timeout=0.01)
    assert caught.value.published == 4
    assert ring.tail == 4


def test_records_must_be_64_bytes(make_ring):
    ring = make_ring()
    with pytest.raises(ValueError):
        ring.try_publish(bytes(63))
    with pytest.raises(ValueError):
        ring.try_publish_many([bytes(64), bytes(65)])
    assert ring.tail == 0


# --- torn records ---------------------------------------------------------------------


def test_slot_written_but_tail_not_advanced_is_invisible(make_ring):
    ring = make_ring(RingKind.FILLS, 8)
    ring._write_slot(0, payload(0))  # publishing step 2 without step 3
    assert ring.poll() is None
    assert ring.tail == 0
    with pytest.raises(RuntimeError):
        ring.consume()
    ring._store_tail(1)
    assert ring.poll()[8:] == payload(0)[8:]


def test_wrong_sequence_under_an_advanced_tail_stops_the_consumer(make_ring):
    ring = make_ring(RingKind.FILLS, 8)
    ring.try_publish(payload(0))
    ring.try_publish(payload(1))
    ring.try_publish(payload(2))
    ring.poll()
    ring.consume()
    # Record 1 (slot 1) carries a sequence that is not 2: a slot not fully written.
    slot = layout.SLOTS_OFFSET + 1 * layout.RECORD_SIZE
    for wrong in (0, 1, 3, 10):
        struct.pack_into("<Q", ring._map, slot, wrong)
        assert ring.poll() is None, wrong
        assert ring.poll() is None  # and it stays stopped there, never skipping ahead
    assert ring.head == 1
    struct.pack_into("<Q", ring._map, slot, 2)
    assert ring.poll()[8:] == payload(1)[8:]
    ring.consume()
    assert ring.poll()[:8] == struct.pack("<Q", 3)


def test_stale_slot_from_the_previous_lap_is_not_read(make_ring):
    ring = make_ring(RingKind.FILLS, 4)
    for n in range(4):
        ring.try_publish(payload(n))
        ring.poll()
        ring.consume()
    # Tail claims record 4 (slot 0) but slot 0 still holds record 0 (sequence 1).
    ring._store_tail(5)
    assert ring.poll() is None


# --- wrap-around ----------------------------------------------------------------------


def test_wrap_around_past_capacity(make_ring):
    ring = make_ring(RingKind.SIGNALS, 8)
    received = []
    n = 0
    for burst in [3, 8, 5, 7, 8, 1, 6, 8, 2]:  # 48 records, six laps of an 8-slot ring
        for _ in range(burst):
            assert ring.try_publish(payload(n)) == n + 1
            n += 1
        while (record := ring.poll()) is not None:
            received.append(record)
            ring.consume()
    assert len(received) == n == 48
    for i, record in enumerate(received):
        assert struct.unpack_from("<Q", record)[0] == i + 1
        assert record[8:] == payload(i)[8:]
    assert (ring.tail, ring.head) == (48, 48)
    # Record 47 lives in slot 47 mod 8 = 7.
    slot = layout.SLOTS_OFFSET + 7 * 64
    assert struct.unpack_from("<Q", ring._map, slot)[0] == 48


def test_batch_publish_wraps_with_one_tail_store(make_ring):
    ring = make_ring(RingKind.SIGNALS, 8)
    for n in range(6):
        ring.try_publish(payload(n))
        ring.poll()
        ring.consume()
    assert ring.try_publish_many([payload(n) for n in range(6, 20)]) == 8
    assert ring.tail == 14
    got = []
    while (record := ring.poll()) is not None:
        got.append(struct.unpack_from("<Q", record, 8)[0])
        ring.consume()
    assert got == list(range(6, 14))


# --- other processes ------------------------------------------------------------------

RECORDS_ACROSS_PROCESSES = int(os.environ.get("CIFT_RING_RECORDS", "100000"))


def produce_in_child(path: str, count: int) -> None:
    with SharedMemoryRing.attach(path, RingKind.SIGNALS) as ring:
        n = 0
        while n < count:
            batch = min(count - n, 1 + n % 13)  # single records and batches, mixed
            if batch == 1:
                ring.publish(payload(n), timeout=30)
            else:
                ring.publish_many([payload(i) for i in range(n, n + batch)], timeout=30)
            n += batch


def test_producer_in_another_process(tmp_path):
    path = str(tmp_path / "ring")
    ring = SharedMemoryRing.create(path, RingKind.SIGNALS, 1024)
    child = multiprocessing.get_context("fork").Process(target=produce_in_child, args=(path, RECORDS_ACROSS_PROCESSES))
    child.start()
    try:
        expected = 0
        deadline = time.monotonic() + 120
        while expected < RECORDS_ACROSS_PROCESSES and time.monotonic() < deadline:
            record = ring.poll()
            if record is None:
                time.sleep(0)
                continue
            sequence, n = struct.unpack_from("<QQ", record)
            assert (sequence, n) == (expected + 1, expected)
            assert record[8:] == payload(expected)[8:]
            ring.consume()
            expected += 1
        assert expected == RECORDS_ACROSS_PROCESSES
        child.join(30)
        assert child.exitcode == 0
        assert ring.poll() is None and ring.tail == RECORDS_ACROSS_PROCESSES
    finally:
        if child.is_alive():
            child.kill()
        ring.close()


def write_slot_then_wait(path: str, published_first: int, ready: "multiprocessing.connection.Connection") -> None:
    """Publish ``published_first`` records whole, then write the next slot (step 2) and
    wait to be killed before the tail store (step 3)."""
    ring = SharedMemoryRing.attach(path, RingKind.FILLS)
    for n in range(published_first):
        ring.publish(payload(n), timeout=5)
    ring._write_slot(ring.tail, payload(999))
    ready.send("slot written")
    time.sleep(60)


@pytest.mark.parametrize("published_first", [0, 5])
def test_producer_killed_while_writing_a_slot(tmp_path, published_first):
    path = str(tmp_path / "ring")
    ring = SharedMemoryRing.create(path, RingKind.FILLS, 8)
    context = multiprocessing.get_context("fork")
    parent_end, child_end = context.Pipe()
    child = context.Process(target=write_slot_then_wait, args=(path, published_first, child_end))
    child.start()
    try:
        assert parent_end.poll(30) and parent_end.recv() == "slot written"
        os.kill(child.pid, signal.SIGKILL)
        child.join(30)
        assert child.exitcode == -signal.SIGKILL

        # The dead producer's slot holds a whole record with its sequence...
        slot = layout.SLOTS_OFFSET + published_first * 64
        assert struct.unpack_from("<Q", ring._map, slot)[0] == published_first + 1
        # ...but it never stored the tail: only the records published before are seen.
        seen = []
        while (record := ring.poll()) is not None:
            seen.append(struct.unpack_from("<Q", record, 8)[0])
            ring.consume()
        assert seen == list(range(published_first))
        assert ring.tail == published_first

        # A new producer attaching rewrites the slot; the consumer reads its record.
        with SharedMemoryRing.attach(path, RingKind.FILLS) as producer:
            assert producer.try_publish(payload(42)) == published_first + 1
        assert ring.poll()[8:] == payload(42)[8:]
    finally:
        if child.is_alive():
            child.kill()
        ring.close()


def test_ring_under_dev_shm():
    if not os.path.isdir("/dev/shm"):
        pytest.skip("no /dev/shm on this machine")
    path = f"/dev/shm/cift-test-{os.getpid()}-{uuid.uuid4().hex}"
    try:
        producer = SharedMemoryRing.create(path, RingKind.SIGNALS, 64)
        consumer = SharedMemoryRing.attach(path, RingKind.SIGNALS, 64)
        received = []
        for n in range(100):  # past the capacity: the consumer keeps up from record 64 on
            if n >= 64:
                received.append(consumer.poll())
                consumer.consume()
            producer.publish(payload(n), timeout=0)
        while (record := consumer.poll()) is not None:
            received.append(record)
            consumer.consume()
        assert [r[8:] for r in received] == [payload(n)[8:] for n in range(100)]
        assert (producer.tail, consumer.head) == (100, 100)
        producer.close()
        consumer.close()
    finally:
        if os.path.exists(path):
            os.unlink(path)
    assert not os.path.exists(path)
