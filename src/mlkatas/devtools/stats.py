"""Statistics every benchmark prints: percentiles of timing samples."""

from __future__ import annotations

import statistics


def percentile(samples: list[float], pct: float) -> float:
    """The pct-th percentile, interpolated between the two nearest ranks."""
    ordered = sorted(samples)
    rank = (len(ordered) - 1) * pct / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def summary_ms(samples: list[float]) -> dict:
    """Count, p50, p90, min and max of samples in milliseconds, rounded for printing."""
    return {
        "n": len(samples),
        "p50_ms": round(median(samples), 1),
        "p90_ms": round(percentile(samples, 90), 1),
        "min_ms": round(min(samples), 1),
        "max_ms": round(max(samples), 1),
    }
