"""The per-device token bucket, on a clock the test moves."""

from __future__ import annotations

import pytest
from clinic_app.server.rate_limit import RateLimiter, retry_after_header


class ManualClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_is_allowed_then_requests_wait_for_refill() -> None:
    clock = ManualClock()
    limiter = RateLimiter(clock)
    assert [limiter.take("ws", rate=2.0, burst=3) for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = limiter.take("ws", rate=2.0, burst=3)
    assert wait == pytest.approx(0.5)
    assert retry_after_header(wait) == "1"
    clock.now += 0.5
    assert limiter.take("ws", rate=2.0, burst=3) == 0.0


def test_a_quiet_device_refills_only_up_to_its_burst() -> None:
    clock = ManualClock()
    limiter = RateLimiter(clock)
    for _ in range(3):
        limiter.take("ws", rate=1.0, burst=3)
    clock.now += 3600
    assert [limiter.take("ws", rate=1.0, burst=3) for _ in range(4)][-1] > 0


def test_devices_have_separate_buckets() -> None:
    limiter = RateLimiter(ManualClock())
    assert limiter.take("a", rate=1.0, burst=1) == 0.0
    assert limiter.take("a", rate=1.0, burst=1) > 0
    assert limiter.take("b", rate=1.0, burst=1) == 0.0
