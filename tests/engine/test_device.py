"""dlviz.device: the compute gate bounds concurrent training, queues fairly, and shares the
slots among the live learners (fair_share, plan, record)."""

import threading
import time

import pytest

from dlviz.device import (
    DEVICE,
    INTERVALS_S,
    MIN_BUDGET_S,
    OVERHEAD_PRIOR_S,
    TICK_BUDGET_S,
    TICK_INTERVAL_S,
    UTILISATION,
    ComputeGate,
    TickPlan,
    describe_device,
    fair_share,
)


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


@pytest.mark.parametrize("capacity", [1, 2, 4])
@pytest.mark.parametrize("overhead", [0.002, 0.02, 0.06])
def test_fair_share_fits_every_learner_in_the_slots_and_one_core(capacity, overhead):
    previous = None
    for learners in range(1, 61):
        plan = fair_share(learners, capacity, overhead, TICK_BUDGET_S)
        assert plan.learners == learners and plan.interval_s in INTERVALS_S
        assert MIN_BUDGET_S <= plan.budget_s <= TICK_BUDGET_S
        if plan.interval_s < INTERVALS_S[-1]:  # the longest interval is the last resort
            busy = learners * (overhead + plan.budget_s) / plan.interval_s
            assert busy <= capacity * UTILISATION + 1e-9 or learners <= capacity
            assert learners * overhead / plan.interval_s <= UTILISATION + 1e-9
        if previous:  # a bigger class never updates more often, nor trains longer per tick
            assert plan.interval_s >= previous.interval_s
            if plan.interval_s == previous.interval_s:
                assert plan.budget_s <= previous.budget_s
        previous = plan


def test_fair_share_leaves_a_small_class_as_it_was():
    assert fair_share(1, 1, 0.03, TICK_BUDGET_S) == TickPlan(TICK_BUDGET_S, TICK_INTERVAL_S, 1)
    assert fair_share(2, 2, 0.03, TICK_BUDGET_S).budget_s == TICK_BUDGET_S
    assert fair_share(2, 1, 0.03, TICK_BUDGET_S, slots=2).budget_s == TICK_BUDGET_S
    assert fair_share(3, 1, 0.03, TICK_BUDGET_S, slots=2).budget_s < TICK_BUDGET_S / 3
    assert fair_share(2, 1, 0.03, TICK_BUDGET_S).budget_s < TICK_BUDGET_S / 2
    assert fair_share(30, 1, 0.03, 0.0).budget_s == 0.0  # a paced session: one chunk a tick
    crowd = fair_share(30, 1, 0.03, 0.0)
    assert crowd.interval_s >= 30 * 0.03 / UTILISATION  # its ticks still fit the core


def test_gate_plans_for_the_live_learners_only():
    gate = ComputeGate(1, live_s=0.05)
    assert gate.plan("a").learners == 1
    assert gate.plan("b").learners == 2
    alone = gate.plan("c")
    assert alone.learners == 3 and alone.budget_s < TICK_BUDGET_S
    gate.forget("b")  # paused
    assert gate.plan("a").learners == 2
    time.sleep(0.1)  # "a" and "c" stop ticking: their tabs were closed
    assert gate.plan("d").learners == 1
    assert gate.status().live == 1


def test_gate_measures_what_a_tick_costs_besides_training():
    wall, cpu = [0.0], [0.0]
    gate = ComputeGate(1, clocks=(lambda: wall[0], lambda: cpu[0]))
    assert gate.overhead_s == OVERHEAD_PRIOR_S
    for _window in range(5):
        for _ in range(10):  # ten ticks in 2 s: each trains 40 ms and costs 10 ms besides
            wall[0] += 0.2
            cpu[0] += 0.05
            gate.record(0.04, 0.04)
    assert gate.overhead_s == pytest.approx(0.01)
    wall[0] += 2.0
    cpu[0] += 3.0  # a class arrives: 3 s of page loads in one window of one tick
    gate.record(0.0, 0.04)
    assert gate.overhead_s == pytest.approx(0.01)  # the median ignores one burst
    for _window in range(3):
        for _ in range(10):  # a chunk takes 40 ms, past a planned 10 ms: the rest is a cost
            wall[0] += 0.2
            cpu[0] += 0.05
            gate.record(0.04, 0.01)
    assert gate.overhead_s == pytest.approx(0.04)
