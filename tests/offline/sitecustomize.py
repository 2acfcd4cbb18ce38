"""Loaded at interpreter start when this folder is on PYTHONPATH: blocks every outbound
connection except to this machine, and notes that it was loaded.

tests/test_offline.py puts it on the path of a notebook kernel to prove that the notebooks run
without network access (a download, a hub or an ``nltk.download`` would fail loudly).
"""

import os
import socket

_LOCAL = ("127.", "::1", "localhost", "0.0.0.0")
_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_getaddrinfo = socket.getaddrinfo


class NetworkBlocked(OSError):
    """Raised for any attempt to reach a host other than this machine."""


def _check(address):
    if isinstance(address, tuple) and not str(address[0]).startswith(_LOCAL):
        log = os.environ.get("SOCIALRETURNS_OFFLINE_LOG")
        if log:
            with open(log, "a", encoding="utf-8") as fh:
                fh.write(f"blocked {address!r}\n")
        raise NetworkBlocked(f"network access blocked by the offline test: {address!r}")


def _connect(self, address):
    _check(address)
    return _real_connect(self, address)


def _connect_ex(self, address):
    _check(address)
    return _real_connect_ex(self, address)


def _getaddrinfo(host, *args, **kwargs):
    if host is not None and not str(host).startswith(_LOCAL):
        _check((host, 0))
    return _real_getaddrinfo(host, *args, **kwargs)


socket.socket.connect = _connect
socket.socket.connect_ex = _connect_ex
socket.getaddrinfo = _getaddrinfo

_marker = os.environ.get("SOCIALRETURNS_OFFLINE_MARKER")
if _marker:
    with open(_marker, "a", encoding="utf-8") as fh:
        fh.write(f"{os.getpid()}\n")
