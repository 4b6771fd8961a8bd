"""Client: its options, its connections' lifecycle and what a new connection restores.

The request path is :mod:`._request` (a mixin), the typed facade :mod:`._methods`.
Threads: the caller's own, one reader per connection (see ``_transport``), and the
connector and events threads of ``_connection`` while they have work.
"""

from __future__ import annotations

import functools
import itertools
import logging
import ssl
from collections.abc import Callable, Mapping
from decimal import Decimal
from types import TracebackType
from typing import Any

from . import _json
from ._auth import (
    check_transport,
    measure_offset,
    resolve_signer,
    validate_recv_window,
)
from ._connection import (
    AttemptBudget,
    ClientState,
    ConnectionEvent,
    Connections,
    Link,
)
from ._errors import (
    ConnectionClosedError,
    InvalidParameterError,
    ProtocolError,
)
from ._governor import RateGovernor, validate_rate_limit
from ._methods import AllMethods
from ._paging import PagingMixin
from ._ratelimits import RateLimit, RateLimitUsage, parse_rate_limits
from ._request import RequestPath, fork_count, validate_timeout
from ._request import forked as is_forked
from ._resolve import ResolveUnknown
from ._signing import ED25519, Secret, Signer, redact
from ._transport import Transport, resolve_proxy
from ._userdata_client import UserDataMixin

logger = logging.getLogger(__name__)

__all__ = ["Client", "PRODUCTION_URL", "TESTNET_URL"]

PRODUCTION_URL = "wss://ws-api.binance.com:443/ws-api/v3"
TESTNET_URL = "wss://ws-api.testnet.binance.vision/ws-api/v3"

# Binance closes every connection at 24 h; rotating a little earlier is never a surprise.
DEFAULT_MAX_CONNECTION_AGE = 24 * 3600.0 - 600.0
# Binance's own matching-engine wait is 10 s (-1007 after that), so a shorter default would
# give up on requests the server is still legitimately processing.
DEFAULT_TIMEOUT = 10.0
# Epoch times above this are microseconds (ms values stay below it until the year 5138).
_MICROSECOND_TIMES = 10**14


# RequestPath first: its _call is the one the facade's methods reach.
class Client(RequestPath, ResolveUnknown, UserDataMixin, PagingMixin, AllMethods):
    """A blocking client for the Binance Spot WebSocket API over one connection.

    ``url`` defaults to production; ``testnet=True`` picks the spot testnet; any ``ws://`` or
    ``wss://`` URL works (e.g. a :class:`binance_ws.exchange.LocalExchange`). ``timeout`` is
    the default wait for a response, in seconds. Nothing happens on the network until
    :meth:`connect` (or entering the ``with`` block).

    Credentials, for the signed (TRADE, USER_DATA, USER_STREAM) methods:

    - ``api_key`` + ``api_secret``: an HMAC key;
    - ``api_key`` + ``private_key``: an RSA or Ed25519 key, as a PEM file path, PEM text or
      bytes, or a loaded ``cryptography`` key object (``private_key_password`` decrypts an
      encrypted PEM). Needs the ``crypto`` extra: ``pip install 'binance-ws[crypto]'``;
    - none of these: the environment variables ``BINANCE_API_KEY`` with ``BINANCE_API_SECRET``
      or ``BINANCE_PRIVATE_KEY`` (path or PEM) and ``BINANCE_PRIVATE_KEY_PASSWORD``, unless
      ``credentials_from_env=False``.

    Signed methods get ``apiKey``, ``timestamp`` and ``signature`` added automatically.
    ``recv_window`` (ms, at most 60000, up to three decimals) is the default validity window
    of signed requests; each method also takes its own ``recv_window=``. ``sync_time=True``
    measures the offset to the server clock on connect (see :attr:`time_offset`), for
    machines whose clock drifts. ``auto_logon=True`` calls :meth:`session_logon` right after
    connecting (Ed25519 keys only); afterwards signed requests travel without a signature.

    Connections heal (``reconnect=True``, the default): a lost connection is replaced with
    exponential backoff and full jitter (``max_reconnect_attempts=None``: until
    :meth:`close`). Requests in flight on the lost connection fail at once with
    :class:`~binance_ws.ConnectionClosedError` (never re-sent: their outcome is unknown);
    requests made while reconnecting wait for the new connection within their own timeout.
    The session logon, the clock offset (``sync_time=True``) and the steps given to
    :meth:`add_restore_step` are restored on the new connection before other requests reach
    it. On Binance's ``serverShutdown`` notice, at ``max_connection_age`` seconds (a little
    under Binance's 24 h; ``None``: leave it to the server) and on :meth:`rotate`, a new
    connection is opened and prepared first, new requests move to it and the old one
    delivers its pending answers before it closes: a planned rotation fails no request.
    ``reconnect=False`` ends the client with the first lost connection instead.

    Unknown outcomes: orders placed without a client order id get one (``bws...``), and
    :meth:`resolve_unknown` finds out what a call that raised
    :class:`~binance_ws.ExecutionUnknownError` did. Read-only requests are sent once more
    after a 5xx or a lost connection, within their timeout (``retry_reads=False``: never);
    a request that may change state is never re-sent by the client.

    Rate limits: a :class:`~binance_ws.RateGovernor` reserves each request's weight (and
    order count) before it is sent, so the client stays within Binance's limits.
    ``rate_limit="wait"`` (the default) waits, within the call's timeout, for the window
    to reset; ``"raise"`` raises a local :class:`~binance_ws.RateLimitedError` at once;
    ``None`` counts but never holds a request back. After a 429/418 nothing is sent until
    the server's ``retryAfter`` in every mode. ``rate_governor=`` shares one governor among
    the clients of one IP (default: one per client); :attr:`rate_limits` shows its counts.
    The governor counts connection attempts too; ``connection_budget=`` (an
    :class:`~binance_ws.AttemptBudget`) replaces its count for this client's attempts.

    Keepalive: the client pings when the server has been silent for ``ping_interval``
    seconds and treats the connection as lost when no frame follows within
    ``ping_timeout`` (``ping_interval=None`` turns its own pings off; Binance still pings).
    ``ssl_context`` replaces the default TLS context (e.g. to trust a corporate CA);
    ``proxy`` (``"http://[user:password@]host:port"``) sends the connection through an
    HTTP CONNECT proxy (without it, ``https_proxy`` / ``http_proxy`` / ``no_proxy`` from
    the environment apply; loopback is never proxied).

    Keys are never sent over ``ws://`` to a host other than loopback: :meth:`connect` raises
    :class:`~binance_ws.InsecureTransportError` instead. Secrets never appear in a repr, a
    log line or an error message.

    Example::

        >>> from binance_ws import Client
        >>> from binance_ws.exchange import LocalExchange
        >>> with LocalExchange() as ex, Client(ex.url) as client:
        ...     client.request("ping").result
        {}
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        testnet: bool = False,
        api_key: str | None = None,
        api_secret: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        connect_timeout: float = DEFAULT_TIMEOUT,
        private_key: Any = None,
        private_key_password: str | bytes | None = None,
        recv_window: Decimal | str | int | None = None,
        auto_logon: bool = False,
        sync_time: bool = False,
        credentials_from_env: bool = True,
        reconnect: bool = True,
        max_reconnect_attempts: int | None = None,
        ping_interval: float | None = 20.0,
        ping_timeout: float = 20.0,
        max_connection_age: float | None = DEFAULT_MAX_CONNECTION_AGE,
        ssl_context: ssl.SSLContext | None = None,
        proxy: str | None = None,
        connection_budget: AttemptBudget | None = None,
        rate_limit: str | None = "wait",
        rate_governor: RateGovernor | None = None,
        retry_reads: bool = True,
    ) -> None:
        # First, before anything can raise: a traceback's recorded locals (Sentry, pytest
        # --showlocals) must show masked holders here, never the secret, PEM or password.
        hidden = (Secret.wrap(api_secret), Secret.wrap(private_key), Secret.wrap(private_key_password))
        proxy_url = Secret.wrap(proxy)  # may carry user:password
        del api_secret, private_key, private_key_password, proxy
        if url is not None and testnet:
            raise InvalidParameterError("testnet", "give either url= or testnet=True, not both")
        url = url if url is not None else (TESTNET_URL if testnet else PRODUCTION_URL)
        if not url.startswith(("ws://", "wss://")):
            raise InvalidParameterError("url", f"must start with ws:// or wss://, got {url!r}")
        self.url = url
        self.timeout = validate_timeout(timeout)
        self._connect_timeout = validate_timeout(connect_timeout, "connect_timeout")
        if max_reconnect_attempts is not None and (
            isinstance(max_reconnect_attempts, bool)
            or not isinstance(max_reconnect_attempts, int)
            or max_reconnect_attempts < 1
        ):
            raise InvalidParameterError(
                "max_reconnect_attempts",
                f"must be a positive int or None (no limit), got {max_reconnect_attempts!r}",
            )
        self._ping_interval = (
            None if ping_interval is None else validate_timeout(ping_interval, "ping_interval")
        )
        self._ping_timeout = validate_timeout(ping_timeout, "ping_timeout")
        self._max_age = (
            None if max_connection_age is None else validate_timeout(max_connection_age, "max_connection_age")
        )
        if ssl_context is not None and not isinstance(ssl_context, ssl.SSLContext):
            raise InvalidParameterError(
                "ssl_context", f"expected an ssl.SSLContext, got {type(ssl_context).__name__}"
            )
        if proxy_url is not None and not proxy_url.reveal().startswith(("http://", "https://")):
            raise InvalidParameterError(
                "proxy",
                "only HTTP CONNECT proxies are supported: 'http://[user:password@]host:port', "
                f"got a {proxy_url.reveal().split(':', 1)[0]!r} proxy",
            )
        self._ssl_context = ssl_context
        self._proxy: str | None = None if proxy_url is None else proxy_url.reveal()
        self._signer: Signer | None = resolve_signer(api_key, *hidden, from_env=credentials_from_env)
        self._recv_window = None if recv_window is None else validate_recv_window(recv_window)
        if auto_logon and (self._signer is None or self._signer.key_type != ED25519):
            raise InvalidParameterError(
                "auto_logon", "session logon needs an Ed25519 key: pass api_key= and private_key="
            )
        self._auto_logon = auto_logon
        self._sync_time = sync_time
        # Server clock minus local clock, in ms; added to every timestamp.
        self._time_offset = 0
        self._restore_steps: list[Callable[[Client], object]] = []
        self._rate_limit = validate_rate_limit(rate_limit)
        if rate_governor is not None and not isinstance(rate_governor, RateGovernor):
            raise InvalidParameterError(
                "rate_governor", f"expected a binance_ws.RateGovernor, got {type(rate_governor).__name__}"
            )
        if rate_governor is None:
            rate_governor = RateGovernor(connection_budget=connection_budget)
        self._governor = rate_governor
        self._account = "" if self._signer is None else self._signer.api_key
        if connection_budget is None:
            connection_budget = self._governor.connection_budget
        self._conns = Connections(
            open_link=self._open_link,
            restore=self._restore,
            reconnect=reconnect,
            max_attempts=max_reconnect_attempts,
            budget=connection_budget,
        )
        self._conns.drain_limit = self.timeout + 1.0
        self._ids = itertools.count(1)
        self._forks = fork_count()
        self._raw_rate_limits: Any = None
        if not isinstance(retry_reads, bool):
            raise InvalidParameterError("retry_reads", f"expected True or False, got {retry_reads!r}")
        self._retry_reads = retry_reads

    # -- lifecycle -------------------------------------------------------------------------

    @property
    def state(self) -> ClientState:
        """UNOPENED, OPEN, RECONNECTING or CLOSED."""
        return self._conns.state

    @property
    def connected(self) -> bool:
        """True while a connection is open for requests."""
        return self._conns.link is not None

    @property
    def reconnects(self) -> int:
        """How many times a lost connection has been replaced."""
        return self._conns.reconnects

    @property
    def last_disconnect_reason(self) -> str | None:
        """Why the latest connection was lost (None while none was)."""
        return self._conns.last_disconnect_reason

    @property
    def pending_count(self) -> int:
        """How many requests are waiting for their response right now."""
        return self._conns.pending_count

    @property
    def last_rate_limits(self) -> tuple[RateLimit, ...]:
        """The ``rateLimits`` of the latest response that carried them (empty before any)."""
        return parse_rate_limits(self._raw_rate_limits)

    @property
    def rate_limits(self) -> tuple[RateLimitUsage, ...]:
        """What the rate governor counts now: each limit's usage, limit and reset time.

        Request weight per minute, this client's unfilled orders per 10 s and per day, and
        connection attempts per 5 minutes; the counts follow the server's ``rateLimits``
        on every response. A read-only snapshot.

        Example::

            >>> from binance_ws import Client
            >>> from binance_ws.exchange import LocalExchange
            >>> with LocalExchange() as ex, Client(ex.url) as client:
            ...     _ = client.depth(symbol="BTCUSDT", limit=500)
            ...     [(str(u.type), u.usage) for u in client.rate_limits][:2]
            [('REQUEST_WEIGHT', 27), ('ORDERS', 0)]
        """
        return self._governor.snapshot(self._account)

    @property
    def rate_governor(self) -> RateGovernor:
        """The :class:`~binance_ws.RateGovernor` this client's requests go through."""
        return self._governor

    @property
    def key_type(self) -> str | None:
        """``"HMAC"``, ``"RSA"``, ``"Ed25519"``, or None when the client has no credentials."""
        return None if self._signer is None else self._signer.key_type

    @property
    def logged_on(self) -> bool:
        """True while the connection is authenticated with :meth:`session_logon`."""
        return self._session_key is not None

    @property
    def time_offset(self) -> int:
        """Server clock minus local clock in ms, added to every request ``timestamp``.

        0 until measured by ``sync_time=True`` or :meth:`sync_clock`; may also be set by hand.
        """
        return self._time_offset

    @time_offset.setter
    def time_offset(self, value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidParameterError("time_offset", f"expected an int of milliseconds, got {value!r}")
        self._time_offset = value
        self._governor.time_offset = value

    @property
    def recv_window(self) -> int | str | None:
        """The default ``recvWindow`` of signed requests (None: the server's default, 5000 ms)."""
        return self._recv_window

    def connect(self) -> Client:
        """Open the connection and start the reader thread; returns the client.

        With ``sync_time`` or ``auto_logon`` they run before any other request can go out.
        Raises ConnectError when the server cannot be reached (no retry for the first
        connection), and ClientClosedError on a client that was closed (create a new one).
        """
        if self._conns.state is ClientState.UNOPENED:
            check_transport(self.url, self._signer, resolve_proxy(self.url, self._proxy))
        try:
            self._conns.connect()
        except BaseException:
            # The caller gets no client to close (a failed __enter__ skips __exit__).
            self._conns.close()
            raise
        self._forks = fork_count()
        return self

    def _open_link(self, link: Link) -> None:
        transport = Transport(
            self.url,
            on_text=functools.partial(self._on_text, link),  # no Python frame per message
            on_lost=lambda reason: self._link_lost(link, reason),
            connect_timeout=self._connect_timeout,
            ssl_context=self._ssl_context,
            proxy=resolve_proxy(self.url, self._proxy),
            ping_interval=self._ping_interval,
            ping_timeout=self._ping_timeout,
            max_age=self._max_age if self._conns.reconnect else None,
            on_aged=lambda: self._conns.rotate_soon("the connection reached max_connection_age"),
        )
        link.transport = transport
        self._governor.note_connection()  # Binance charges 2 weight per connection
        transport.connect()
        logger.info("connected to %s", self.url)

    def _restore(self, link: Link, had_session: bool) -> None:
        """Prepare a new connection (calls from this thread go to it); see add_restore_step."""
        first = self._conns.state is ClientState.UNOPENED
        if self._sync_time:
            try:
                self.sync_clock()
            except ConnectionClosedError:
                raise
            except Exception as exc:
                if first:
                    raise
                logger.warning(
                    "could not measure the clock offset again, keeping %d ms: %s", self._time_offset, exc
                )
        if self._auto_logon or had_session:
            try:
                self.session_logon()
            except ConnectionClosedError:
                raise
            except Exception as exc:
                if first:
                    raise
                logger.warning("session logon on the new connection failed; signing each request: %s", exc)
        for step in list(self._restore_steps):
            try:
                step(self)
            except ConnectionClosedError:
                raise
            except Exception:
                if first:
                    raise
                logger.exception("a restore step failed on the new connection")

    def add_restore_step(self, step: Callable[[Client], object]) -> Callable[[], None]:
        """Run ``step(client)`` on every new connection before other requests use it.

        Steps run after the clock sync and the session logon, in the order added, on
        reconnects and rotations (and at :meth:`connect` for steps added before it). Calls
        ``step`` makes on the client go to the new connection. Returns a function that
        removes the step. A step that raises on a later connection is logged and the new
        connection is used anyway.

        Example::

            >>> from binance_ws import Client
            >>> from binance_ws.exchange import LocalExchange
            >>> with LocalExchange() as ex, Client(ex.url) as client:
            ...     remove = client.add_restore_step(lambda c: print("restoring", c.ping()))
            ...     client.rotate()
            restoring Ping()
        """
        self._restore_steps.append(step)

        def remove() -> None:
            if step in self._restore_steps:
                self._restore_steps.remove(step)

        return remove

    def on_connection_event(self, callback: Callable[[ConnectionEvent], None]) -> Callable[[], None]:
        """Call ``callback(event)`` on every :class:`~binance_ws.ConnectionEvent`.

        Callbacks run one at a time, in order, on a thread of the client's (never the
        reader thread, so a slow callback delays no answer); one that raises is logged.
        Returns a function that removes the callback.

        Example::

            >>> from binance_ws import Client, ConnectionEventKind
            >>> from binance_ws.exchange import LocalExchange
            >>> import threading
            >>> seen = threading.Event()
            >>> with LocalExchange() as ex, Client(ex.url) as client:
            ...     remove = client.on_connection_event(
            ...         lambda e: e.kind is ConnectionEventKind.ROTATED and seen.set())
            ...     client.rotate()
            ...     seen.wait(5)
            True
        """
        return self._conns.add_listener(callback)

    def rotate(self, *, timeout: float | None = None) -> None:
        """Replace the connection now, make-before-break: no request fails.

        A new connection is opened and restored (logon, clock, restore steps), new requests
        move to it, and the old one closes once it has delivered the answers due on it
        (waiting at most ``timeout``, by default the client's). Raises ConnectError when
        the new connection cannot be opened; the current one is then kept.
        """
        drain = self.timeout if timeout is None else validate_timeout(timeout)
        self._conns.rotate("rotate() was called", drain)

    def sync_clock(self, *, timeout: float | None = None) -> int:
        """Measure the offset to the server's clock and use it from now on; returns it (ms).

        Asks the server's ``time`` a few times (weight 1 each) and compares it with the
        midpoint of the fastest round trip. Call it again now and then in long-running
        programs if the local clock drifts.

        Example::

            >>> from binance_ws import Client
            >>> from binance_ws.exchange import LocalExchange
            >>> with LocalExchange() as ex, Client(ex.url) as client:
            ...     abs(client.sync_clock()) < 1000
            True
        """

        def server_time() -> int:
            frame = self._roundtrip("time", None, timeout)
            result = frame.get("result")
            value = result.get("serverTime") if isinstance(result, dict) else None
            if isinstance(value, bool) or not isinstance(value, int):
                raise ProtocolError("time: the result has no integer serverTime")
            # A connection opened with timeUnit=MICROSECOND reports microseconds.
            return value // 1000 if value > _MICROSECOND_TIMES else value

        offset = measure_offset(server_time)
        self._time_offset = offset
        self._governor.time_offset = offset
        logger.info("clock offset to the server: %d ms", offset)
        return offset

    def close(self) -> None:
        """Close the connection, stop reconnecting and stop the client's threads.

        Idempotent and safe from any thread. Callers still waiting are woken at once with
        ConnectionClosedError, before the closing handshake with the server. In a forked
        child the parent's connection is left untouched.
        """
        forked = is_forked(self._forks)
        if self._conns.close(touch_sockets=not forked):
            logger.info("closed the connection to %s", self.url)

    def __enter__(self) -> Client:
        return self.connect()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        conns = getattr(self, "_conns", None)
        parts = [
            f"<binance_ws.Client {getattr(self, 'url', '?')}",
            f"state={conns.state.value if conns else '?'}",
            f"pending={conns.pending_count if conns is not None else '?'}",
        ]
        if conns is not None and conns.reconnects:
            parts.append(f"reconnects={conns.reconnects}")
        signer = getattr(self, "_signer", None)
        if signer is not None:
            parts.append(f"key={signer.key_type}:{redact(signer.api_key)}")
            if conns is not None and self._session_key is not None:
                parts.append("logged_on")
        return " ".join(parts) + ">"

    # -- reader-thread callbacks -----------------------------------------------------------

    def _on_text(self, link: Link, data: bytes) -> None:
        try:
            frame = _json.loads(data)
        except ValueError:
            logger.warning("skipped a frame that is not valid JSON (%d bytes)", len(data))
            return
        if not isinstance(frame, dict):
            logger.warning("skipped a JSON frame that is not an object")
            return
        if "status" in frame and "id" in frame:
            request_id = frame["id"]
            if request_id is None and frame["status"] == 401:
                # Binance revokes a session whose key became invalid with an id-less 401.
                link.session_key = None
                logger.warning("the server revoked the session's API key; signing each request again")
                return
            # Ids are the client's own ints: match by exact type, so 1.0, true or a list
            # (unhashable) never resolve or break anything.
            if type(request_id) is not int or not link.pending.resolve(request_id, frame):
                logger.debug(
                    "dropped a response nobody waits for (id=%r, status=%r)",
                    request_id,
                    frame.get("status"),
                )
            return
        if "subscriptionId" in frame:
            router = self._user_data_router
            if router is not None:
                router.route(link, frame)
            else:
                logger.debug("user data event without a stream: %r", _event_type(frame))
            return
        if "event" in frame:
            kind = _event_type(frame)
            if kind == "serverShutdown":
                logger.info("the server announced a shutdown; moving to a new connection")
                self._conns.rotate_soon("the server announced serverShutdown")
                return
            logger.debug("event without a consumer: %r", kind)
            return
        logger.warning("skipped a frame that is neither a response nor an event")


def _event_type(frame: Mapping[str, Any]) -> object:
    event = frame.get("event")
    return event.get("e") if isinstance(event, Mapping) else None
