"""Fixed-window counters in the cache, shared by every public form that must resist guessing."""

from __future__ import annotations

from django.core.cache import cache


def hit(key: str, *, window_seconds: int) -> int:
    """Count one more attempt under a key in the current window and return the count so far."""
    cache.add(key, 0, window_seconds)
    try:
        return cache.incr(key)
    except ValueError:  # the entry expired between add and incr
        cache.set(key, 1, window_seconds)
        return 1


def within_limits(*limits: tuple[str, int], window_seconds: int) -> bool:
    """Count an attempt under every (key, limit) pair and return whether all are still within their limit."""
    # Count every key even when an earlier one is over, so each limit sees every attempt.
    counts = [(hit(key, window_seconds=window_seconds), limit) for key, limit in limits]
    return all(count <= limit for count, limit in counts)
