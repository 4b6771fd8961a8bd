"""A throwaway certificate authority for ``LocalExchange(tls=True)``, made with ``trustme``.

``trustme`` is a test dependency (the ``test`` extra), not one of the exchange's: an exchange
given its own ``ssl_context=`` never imports it.
"""

from __future__ import annotations

import os
import shutil
import ssl
import tempfile
from typing import Any

__all__ = ["LocalCA"]


class LocalCA:
    """A CA and a certificate it issued for 127.0.0.1 and localhost."""

    def __init__(self) -> None:
        try:
            import trustme
        except ImportError as exc:
            raise ImportError(
                "LocalExchange(tls=True) needs the 'trustme' package: pip install 'binance-ws[test]' "
                "(or pass ssl_context= with a certificate of your own)"
            ) from exc
        self._ca: Any = trustme.CA()
        self._cert: Any = self._ca.issue_cert("127.0.0.1", "localhost")
        self._dir: str | None = None

    def server_context(self) -> ssl.SSLContext:
        """The context the exchange serves with."""
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._cert.configure_cert(context)
        return context

    def client_context(self) -> ssl.SSLContext:
        """A client context trusting this CA (and verifying the host name)."""
        context = ssl.create_default_context()
        self._ca.configure_trust(context)
        return context

    def ca_pem_path(self) -> str:
        """The CA certificate as a PEM file in a temporary directory (removed by cleanup())."""
        if self._dir is None:
            self._dir = tempfile.mkdtemp(prefix="binance-ws-exchange-ca-")
        path = os.path.join(self._dir, "ca.pem")
        if not os.path.exists(path):
            self._ca.cert_pem.write_to_path(path)
        return path

    def cleanup(self) -> None:
        """Remove the PEM file's directory, if one was made. Idempotent."""
        directory, self._dir = self._dir, None
        if directory is not None:
            shutil.rmtree(directory, ignore_errors=True)
