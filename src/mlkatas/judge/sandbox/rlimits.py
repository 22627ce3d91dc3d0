"""Resource limits a child sets on itself before any learner code runs."""

from __future__ import annotations

import math
import resource


def vm_size_bytes() -> int:
    """The address space the child already uses (torch maps a lot before any learner code)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0




def _lower(which: int, value: int) -> None:
    _, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(which, (value, value))


def apply_rlimits(
    cpu_s: float,
    memory_mb: int,
    file_mb: int = 16,
    open_files: int | None = None,
    threads: int | None = None,
    base_vm: int | None = None,
) -> None:
    """CPU seconds (SIGXCPU past the soft limit, SIGKILL a second later), address space on top
    of what is mapped now (or `base_vm`, measured earlier), largest file written, no core dumps,
    and optionally open files and processes+threads of this user."""
    cpu = max(1, math.ceil(cpu_s))
    soft_hard = (cpu, cpu + 1)
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard == resource.RLIM_INFINITY or hard >= soft_hard[1]:
        resource.setrlimit(resource.RLIMIT_CPU, soft_hard)
    try:
        _lower(resource.RLIMIT_AS, (vm_size_bytes() if base_vm is None else base_vm) + memory_mb * 2**20)
    except (OSError, ValueError):
        pass  # some platforms (macOS) do not enforce RLIMIT_AS
    _lower(resource.RLIMIT_FSIZE, file_mb * 2**20)
    _lower(resource.RLIMIT_CORE, 0)
    if open_files is not None:
        _lower(resource.RLIMIT_NOFILE, open_files)
    if threads is not None:
        _lower(resource.RLIMIT_NPROC, threads)
