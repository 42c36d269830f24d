"""Peak anonymous memory of a block of code, sampled from /proc (Linux).

ru_maxrss counts file-backed pages too, so reading a memory-mapped dataset looks like growth;
RssAnon is what the process really holds.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator


def rss_anon_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) / 1024
    return float("nan")


@contextlib.contextmanager
def peak_anon_mib(interval: float = 0.005) -> Iterator[dict[str, float]]:
    """Yield a dict whose 'peak' and 'start' (MiB) are filled when the block ends."""
    result = {"start": rss_anon_mib(), "peak": rss_anon_mib()}
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            result["peak"] = max(result["peak"], rss_anon_mib())
            time.sleep(interval)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield result
    finally:
        stop.set()
        thread.join()
        result["peak"] = max(result["peak"], rss_anon_mib())
