"""CircuitBreaker state machine (with a fake clock)."""

from __future__ import annotations

import pytest

from interview_desktop.providers.base import (
    ProviderAuthError,
    ProviderBadResponse,
    ProviderTimeout,
    ProviderUnavailable,
)
from interview_desktop.providers.cloud.circuit import CircuitBreaker, key_fingerprint
from interview_desktop.providers.cloud.errors import CloudQuotaError, CloudServerError


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock()


def failing(err):
    def fn():
        raise err

    return fn


@pytest.mark.parametrize(
    "err",
    [ProviderTimeout("t"), ProviderUnavailable("refused"), CloudServerError("500", 500),
     CloudQuotaError("q")],
)
def test_opens_for_the_cooldown_then_allows_a_trial(clock, err):
    breaker = CircuitBreaker(60, clock, name="svc")
    calls = []
    with pytest.raises(type(err)):
        breaker.call(failing(err))
    with pytest.raises(ProviderUnavailable, match=r"svc skipped for 60s after: .*"):
        breaker.call(lambda: calls.append(1))
    clock.now += 59.5
    with pytest.raises(ProviderUnavailable, match="skipped for 1s"):
        breaker.call(lambda: calls.append(1))
    clock.now += 1
    assert breaker.call(lambda: "ok") == "ok"
    assert not breaker.is_open() and breaker.cause == "" and calls == []


def test_retry_after_sets_the_quota_wait(clock):
    breaker = CircuitBreaker(60, clock)
    with pytest.raises(CloudQuotaError):
        breaker.call(failing(CloudQuotaError("slow down", retry_after_s=7)))
    assert breaker.remaining_s() == pytest.approx(7)
    clock.now += 7.01
    assert not breaker.is_open()


def test_auth_error_opens_until_the_key_changes(clock):
    breaker = CircuitBreaker(60, clock)
    old, new = key_fingerprint("gsk_old_key_123"), key_fingerprint("gsk_new_key_456")
    with pytest.raises(ProviderAuthError):
        breaker.call(failing(ProviderAuthError("Groq rejected the API key")), old)
    clock.now += 10_000
    with pytest.raises(ProviderUnavailable, match="until the API key is changed"):
        breaker.check(old)
    breaker.check(new)  # a different key may try
    assert not breaker.is_open(new)


def test_bad_responses_open_only_when_repeated(clock):
    breaker = CircuitBreaker(60, clock, bad_response_limit=3)
    for _ in range(2):
        with pytest.raises(ProviderBadResponse):
            breaker.call(failing(ProviderBadResponse("html")))
        assert not breaker.is_open()
    breaker.call(lambda: None)  # a success resets the count
    for _ in range(3):
        with pytest.raises(ProviderBadResponse):
            breaker.call(failing(ProviderBadResponse("html")))
    assert breaker.is_open()


def test_a_bug_is_not_recorded(clock):
    breaker = CircuitBreaker(60, clock)
    with pytest.raises(KeyError):
        breaker.call(failing(KeyError("bug")))
    assert not breaker.is_open()


def test_fingerprint_is_not_the_key():
    assert key_fingerprint("gsk_secret_value_1") != key_fingerprint("gsk_secret_value_2")
    assert "secret" not in key_fingerprint("gsk_secret_value_1") and key_fingerprint(None) == ""
