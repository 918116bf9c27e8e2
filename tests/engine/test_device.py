"""dlviz.device: the compute gate bounds concurrent training and queues fairly."""

import threading
import time

import pytest

from dlviz.device import DEVICE, ComputeGate, describe_device


def test_device_and_label():
    assert DEVICE.type in {"cpu", "cuda", "mps"}
    label = describe_device()
    assert label.startswith("CPU") or label.startswith("GPU")


def test_gate_admits_up_to_capacity_then_queues_in_order():
    gate = ComputeGate(2)
    assert gate.try_enter("a") == 0 and gate.try_enter("b") == 0
    assert gate.try_enter("c") == 1
    assert gate.try_enter("d") == 2
    assert gate.status().active == 2 and gate.status().waiting == 2
    gate.leave("a")
    assert gate.try_enter("d") == 2  # "c" was first in line and keeps its place
    assert gate.try_enter("c") == 0
    assert gate.try_enter("d") == 1


def test_gate_forgets_paused_and_stale_tickets():
    gate = ComputeGate(1, stale_s=0.05)
    gate.try_enter("a")
    assert gate.try_enter("gone") == 1
    assert gate.try_enter("b") == 2
    gate.forget("gone")
    assert gate.try_enter("b") == 1
    time.sleep(0.1)  # "b" stops asking: its ticket goes stale
    assert gate.status().waiting == 0


def test_gate_takes_back_a_slot_held_past_its_lease():
    gate = ComputeGate(1, lease_s=0.05)
    assert gate.try_enter("crashed") == 0  # never leaves, like a tab closed mid-tick
    assert gate.try_enter("next") == 1
    time.sleep(0.1)
    assert gate.try_enter("next") == 0
    gate.leave("crashed")  # a late leave of a reclaimed slot is harmless
    assert gate.status().active == 1


def test_gate_waits_for_a_slot_and_never_exceeds_capacity():
    gate = ComputeGate(2)
    inside, peak, lock = [0], [0], threading.Lock()

    def worker(name: str) -> None:
        for _ in range(20):
            while gate.try_enter(name, wait_s=0.5):
                pass
            with lock:
                inside[0] += 1
                peak[0] = max(peak[0], inside[0])
            time.sleep(0.001)
            with lock:
                inside[0] -= 1
            gate.leave(name)

    threads = [threading.Thread(target=worker, args=(f"t{i}",)) for i in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert peak[0] == 2 and inside[0] == 0


def test_gate_rejects_bad_capacity_and_double_entry():
    with pytest.raises(ValueError):
        ComputeGate(0)
    gate = ComputeGate(1)
    gate.try_enter("a")
    with pytest.raises(RuntimeError):
        gate.try_enter("a")
