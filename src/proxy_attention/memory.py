"""Out of memory, on the GPU or in the CPU allocator, as one line that names the knobs to
lower: torch's own message is a 13-frame allocator traceback that names none of them."""

from __future__ import annotations

# The CPU allocator raises a plain RuntimeError, recognisable only by its text.
_CPU_ALLOCATOR = "DefaultCPUAllocator: can't allocate memory"
FIX = (
    "lower train.batch_size (or set it to auto), train.eval_batch_size or proxy.batch_size in "
    "the params file, or image_size; a training run resumes where it stopped"
)


def describe(exc: BaseException) -> str | None:
    """One line for an out-of-memory error, or None when ``exc`` is something else."""
    if type(exc).__name__ == "OutOfMemoryError" or "CUDA out of memory" in str(exc):
        where = "the GPU"
    elif isinstance(exc, MemoryError) or _CPU_ALLOCATOR in str(exc):
        where = "the CPU (main memory)"
    else:
        return None
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"out of memory on {where} ({first[:160]}); {FIX}"
