"""Kokkeops from Python: KeOps' Genred and KernelSolve on NumPy arrays.

    from kokkeops.numpy import Genred, KernelSolve     # in place of: from pykeops.numpy import ...

Formula strings are compiled on first use and cached (the C++ library's runtime compilation: KOKKEOPS_CACHE_DIR),
or taken from the program when compiled in. Errors are kokkeops.Error, carrying the library's message and status.
"""
import atexit as _atexit

from . import _core


class Error(RuntimeError):
    """A Kokkeops error: str(e) is the library's message, e.status its status code (kokkeops/entry.h)."""

    def __init__(self, message, status=0):
        super().__init__(message)
        self.status = status

    def __str__(self):
        return self.args[0]


_core._set_error_type(Error)
__version__ = _core.version()
_atexit.register(_core.finalize)

__all__ = ["Error", "__version__"]
