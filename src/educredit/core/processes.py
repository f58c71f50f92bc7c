"""Forked helper processes that die with the process that forked them.

A worker killed with SIGKILL cannot stop its pool: the pool's processes would live on under
init, holding memory and, for a loader, half a file. Linux lets a child ask for a signal when
its parent dies (``prctl(PR_SET_PDEATHSIG)``); every pool initializer calls
``die_with_parent`` first.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import multiprocessing
import os
import signal
import sys
from concurrent.futures import ProcessPoolExecutor

_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """In a forked child: be killed when the parent dies (and exit now if it already has)."""
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() != parent or parent == 1:
        # The parent died between the fork and the prctl: nobody will collect our work.
        os._exit(1)


def _forked_worker_start() -> None:
    die_with_parent()
    # A forked worker starts with the whole Django heap; freezing it keeps the collector (run
    # often: a chunk allocates many small objects) from rescanning it again and again.
    gc.freeze()


def fork_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of ``workers`` forked processes that inherit the loaded code, die with this
    process and never touch its database connection (they compute; the parent writes)."""
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_forked_worker_start,
    )
