"""Training schedules such as [5, p, 9, p, 4]: integers train epochs, p adds a proxy step."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

PROXY = "p"


def parse_schedule(schedule: Sequence[int | str]) -> tuple[int | str, ...]:
    items: list[int | str] = []
    for item in schedule:
        if item == PROXY:
            items.append(PROXY)
        elif isinstance(item, int) and not isinstance(item, bool) and item >= 1:
            items.append(item)
        else:
            raise ValueError(f"schedule item {item!r}: expected a positive integer or 'p'")
    if not items:
        raise ValueError("a schedule needs at least one item")
    return tuple(items)


def total_epochs(schedule: Sequence[int | str]) -> int:
    """Sum of the integers plus one epoch per p."""
    return sum(1 if item == PROXY else int(item) for item in schedule)


def proxy_epochs(schedule: Sequence[int | str]) -> list[int]:
    """1-based epochs after which the proxy step runs."""
    return [epoch for epoch, is_proxy in iter_epochs(schedule) if is_proxy]


def iter_epochs(schedule: Sequence[int | str]) -> Iterator[tuple[int, bool]]:
    """Yield (1-based epoch, whether a proxy step follows it) over the whole schedule."""
    epoch = 0
    for item in schedule:
        for _ in range(1 if item == PROXY else int(item)):
            epoch += 1
            yield epoch, item == PROXY


def schedule_token(schedule: Sequence[int | str]) -> str:
    """``[5, p, 12]`` -> ``5-p-12``: with a separator, ``[5, p, 1, 2]`` (``5-p-1-2``) differs."""
    return "-".join(str(item) for item in schedule)
