"""drsynth secret rotation (AWS Lambda, Python 3.12, handler ``index.handler``).

Secrets Manager's single-user rotation of a PostgreSQL master password, run
inside the database's VPC:

  createSecret   a new random password in a version staged AWSPENDING
  setSecret      logs in with AWSCURRENT (or AWSPREVIOUS) and runs
                 ALTER ROLE ... PASSWORD '<SCRAM-SHA-256 verifier>'
  testSecret     logs in with AWSPENDING and runs SELECT 1
  finishSecret   moves AWSCURRENT to the new version

The password itself is never sent as SQL text: setSecret computes the
SCRAM-SHA-256 verifier (RFC 5802/7677, 4096 iterations, random salt) here, and
PostgreSQL stores a verifier as it is. With log_statement=ddl or all the
postgresql log holds the verifier, never the password (Secrets Manager's own
PostgreSQL rotation function sends the password as a literal).

Every step can run again after a failure (Secrets Manager retries): each one
first checks whether its work is already done. The database connection (TLS
required and verified, SCRAM-SHA-256) is the probe's client, the package
drsynth_pgwire shipped in this function's asset. Only the standard library
and boto3 are used; secret values are never logged.
"""

import base64
import hashlib
import hmac
import json
import os
import secrets
import string

import boto3
from botocore.config import Config

import drsynth_pgwire as pgwire

APPLICATION_NAME = "drsynth-rotation"
HERE = os.path.dirname(os.path.abspath(__file__))  # the asset's root: rds-ca-bundle.pem is copied here

SCRAM_ITERATIONS = 4096
_AWS_CONFIG = Config(connect_timeout=3, read_timeout=10, retries={"max_attempts": 3, "mode": "standard"})
REQUIRED_KEYS = ("username", "password", "host")


class RotationError(Exception):
    """A rotation step cannot complete; Secrets Manager retries it later."""


def _client():
    return boto3.client("secretsmanager", config=_AWS_CONFIG)


# ---------------------------------------------------------------------------
# Passwords
# ---------------------------------------------------------------------------


def generate_password(length, exclude):
    """A random password of printable ASCII without the excluded characters,
    with at least one character of each class that is left (like Secrets
    Manager's GenerateSecretString with RequireEachIncludedType)."""
    classes = [string.ascii_lowercase, string.ascii_uppercase, string.digits, string.punctuation]
    classes = ["".join(c for c in cls if c not in exclude) for cls in classes]
    classes = [cls for cls in classes if cls]
    alphabet = "".join(classes)
    if not alphabet or length < len(classes):
        raise RotationError("PASSWORD_LENGTH/EXCLUDE_CHARACTERS leave no valid password")
    rng = secrets.SystemRandom()
    chars = [rng.choice(cls) for cls in classes]
    chars += [rng.choice(alphabet) for _ in range(length - len(chars))]
    rng.shuffle(chars)
    return "".join(chars)


def scram_sha_256_verifier(password, salt=None, iterations=SCRAM_ITERATIONS):
    """The string PostgreSQL stores in pg_authid.rolpassword for `password`.

    Generated passwords are printable ASCII, for which SASLprep changes nothing."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
    b64 = lambda b: base64.b64encode(b).decode("ascii")  # noqa: E731
    return f"SCRAM-SHA-256${iterations}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"


def quote_ident(name):
    return '"' + name.replace('"', '""') + '"'


# ---------------------------------------------------------------------------
# Secrets Manager
# ---------------------------------------------------------------------------


def get_secret_dict(client, arn, stage, token=None):
    kwargs = {"SecretId": arn, "VersionStage": stage}
    if token:
        kwargs["VersionId"] = token
    value = json.loads(client.get_secret_value(**kwargs)["SecretString"])
    for key in REQUIRED_KEYS:
        if key not in value:
            raise RotationError(f"the {stage} secret has no '{key}' (is the secret attached to the database?)")
    return value


# ---------------------------------------------------------------------------
# Database
# ---------------------------------------------------------------------------


def _timeout():
    return float(os.environ.get("CONNECT_TIMEOUT_SECONDS", "10") or "10")


def connect(secret):
    """An open connection with these credentials; None when the database refuses the
    password. Any other failure (network, TLS, server error) raises: it must not be
    mistaken for a wrong password."""
    try:
        # As the probe: TLS always, verified against the Amazon RDS CA bundle
        # shipped next to this file (or DB_CA_BUNDLE); SCRAM-SHA-256 only.
        policy = pgwire.policy_from_env(os.environ, HERE, APPLICATION_NAME)
    except pgwire.ProbeError as exc:
        raise RotationError(f"{exc.reason}: {exc.detail}") from exc
    conn = pgwire.PgConnection(secret["host"], int(secret.get("port", 5432)), secret.get("dbname") or "postgres",
                               secret["username"], secret["password"], pgwire.Deadline(_timeout()), policy)
    try:
        conn.connect()
    except pgwire.ProbeError as exc:
        conn.close()
        if exc.reason == pgwire.BAD_PASSWORD:
            return None
        raise RotationError(f"cannot reach {secret['host']}: {exc.reason}: {exc.detail}") from exc
    except Exception:
        conn.close()
        raise
    return conn


def _query(conn, sql):
    try:
        return conn.simple_query(sql)
    except pgwire.ProbeError as exc:
        raise RotationError(f"{exc.reason}: {exc.detail}") from exc


# ---------------------------------------------------------------------------
# The four steps
# ---------------------------------------------------------------------------


def create_secret(client, arn, token):
    current = get_secret_dict(client, arn, "AWSCURRENT")
    try:
        get_secret_dict(client, arn, "AWSPENDING", token)
        return "pending version exists"
    except client.exceptions.ResourceNotFoundException:
        pass
    pending = dict(current)
    pending["password"] = generate_password(int(os.environ.get("PASSWORD_LENGTH", "32") or "32"),
                                            os.environ.get("EXCLUDE_CHARACTERS", ""))
    client.put_secret_value(SecretId=arn, ClientRequestToken=token, SecretString=json.dumps(pending),
                            VersionStages=["AWSPENDING"])
    return "pending version created"


def set_secret(client, arn, token):
    pending = get_secret_dict(client, arn, "AWSPENDING", token)
    conn = connect(pending)
    if conn is not None:
        conn.close()
        return "pending password already set"
    current = get_secret_dict(client, arn, "AWSCURRENT")
    for key in ("username", "host"):
        if pending[key] != current[key]:
            raise RotationError(f"the pending secret changes '{key}': single-user rotation only changes the password")
    conn = connect(current)
    if conn is None:
        try:
            previous = get_secret_dict(client, arn, "AWSPREVIOUS")
        except client.exceptions.ResourceNotFoundException:
            previous = None
        if previous and (previous["username"], previous["host"]) == (pending["username"], pending["host"]):
            conn = connect(previous)
    if conn is None:
        raise RotationError("neither the current nor the previous password logs in")
    try:
        verifier = scram_sha_256_verifier(pending["password"])
        _query(conn, f"ALTER ROLE {quote_ident(pending['username'])} WITH PASSWORD '{verifier}'")
    finally:
        conn.close()
    return "password set"


def test_secret(client, arn, token):
    pending = get_secret_dict(client, arn, "AWSPENDING", token)
    conn = connect(pending)
    if conn is None:
        raise RotationError("the pending password does not log in")
    try:
        if _query(conn, "SELECT 1") != [["1"]]:
            raise RotationError("SELECT 1 with the pending password returned something else")
    finally:
        conn.close()
    return "pending password works"


def finish_secret(client, arn, token):
    versions = client.describe_secret(SecretId=arn)["VersionIdsToStages"]
    current = next((v for v, stages in versions.items() if "AWSCURRENT" in stages), None)
    if current == token:
        return "already current"
    client.update_secret_version_stage(SecretId=arn, VersionStage="AWSCURRENT", MoveToVersionId=token,
                                       RemoveFromVersionId=current)
    return "pending version is current"


STEPS = {"createSecret": create_secret, "setSecret": set_secret, "testSecret": test_secret,
         "finishSecret": finish_secret}


def handler(event, context=None):
    arn, token, step = event.get("SecretId"), event.get("ClientRequestToken"), event.get("Step")
    result = {"event": "rotation", "step": step, "secret": arn, "version": token}
    try:
        if step not in STEPS:
            raise RotationError(f"unknown step {step!r}")
        client = _client()
        metadata = client.describe_secret(SecretId=arn)
        if not metadata.get("RotationEnabled"):
            raise RotationError("rotation is not enabled on the secret")
        stages = metadata.get("VersionIdsToStages", {})
        if token not in stages:
            raise RotationError("the version has no stage for rotation")
        if "AWSCURRENT" in stages[token]:
            result["outcome"] = "already current"
        elif "AWSPENDING" not in stages[token]:
            raise RotationError("the version is not staged AWSPENDING")
        else:
            result["outcome"] = STEPS[step](client, arn, token)
    except Exception as exc:
        result["error"] = f"{type(exc).__name__}: {exc}"
        print(json.dumps(result), flush=True)
        raise
    print(json.dumps(result), flush=True)
    return result
