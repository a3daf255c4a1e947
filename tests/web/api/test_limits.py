"""The token bucket alone, on a clock moved by hand: a minute's burst, then the steady rate,
the wait it announces, one trail entry a minute, and a bounded number of buckets."""

from __future__ import annotations

from tracker.web.api.limits import RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_of_a_minute_then_the_steady_rate():
    clock = Clock()
    limiter = RateLimiter(600, clock)
    assert all(limiter.take("a").allowed for _ in range(600))
    refused = limiter.take("a")
    assert not refused.allowed and refused.retry_after == 1 and refused.log_refusal
    assert not limiter.take("a").log_refusal  # the trail hears of it once a minute
    clock.now += 0.1  # 600 a minute is one every 0.1 s
    assert limiter.take("a").allowed and not limiter.take("a").allowed
    assert limiter.take("b").allowed  # each key its own bucket
    clock.now += 60
    assert limiter.take("a").log_refusal is False and limiter.take("a").allowed


def test_the_wait_is_until_one_call_is_free_and_check_spends_nothing():
    clock = Clock()
    limiter = RateLimiter(3, clock)
    assert [limiter.take("k").allowed for _ in range(4)] == [True, True, True, False]
    assert limiter.check("k").retry_after == 20
    clock.now += 19
    assert not limiter.check("k").allowed
    clock.now += 1
    assert limiter.check("k").allowed and limiter.check("k").allowed
    assert limiter.take("k").allowed and not limiter.take("k").allowed


def test_buckets_are_bounded():
    limiter = RateLimiter(1, Clock(), max_keys=100)
    for n in range(1000):
        limiter.take(f"client:{n}")
    assert len(limiter._buckets) == 100
