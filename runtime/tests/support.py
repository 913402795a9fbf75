"""Shared test helpers: load a handler's ``index.py`` under a distinct module
name, run a throw-away PostgreSQL 15 server, set fake AWS credentials.
Tests run with runtime/ as the top-level directory, so the packages
drsynth_failover and drsynth_pgwire import as they do in an asset."""

import importlib.util
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time

RUNTIME_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load_handler(name):
    """Load runtime/<name>/index.py as module ``drsynth_handler_<name>`` (never a
    package's name: drsynth_failover is the package the failover index imports)."""
    module_name = f"drsynth_handler_{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    path = os.path.join(RUNTIME_DIR, name, "index.py")
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


def fake_aws_env(region="eu-west-1"):
    # moto's EC2 (the private zone's VPC) would load every region's default AMIs: seconds per test.
    os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    os.environ.update({
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SECURITY_TOKEN": "testing", "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": region, "AWS_REGION": region,
    })


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def find_pg_bin(name):
    for candidate in (shutil.which(name), f"/usr/local/bin/{name}", f"/usr/lib/postgresql/15/bin/{name}"):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


class PostgresServer:
    """A PostgreSQL cluster in a temp dir on 127.0.0.1:<free port>.

    initdb/postgres refuse to run as root: when euid is 0 they run as user
    ``nobody`` (via runuser) and the temp dir is chowned to it."""

    SUPERUSER = "postgres"

    def __init__(self, superuser_password):
        self.password = superuser_password
        self.port = free_port()
        self.base = tempfile.mkdtemp(prefix="drsynth-pg-")
        self.data = os.path.join(self.base, "data")
        self.sockdir = os.path.join(self.base, "sock")
        self.logfile = os.path.join(self.base, "server.log")
        self.run_as = None
        if os.geteuid() == 0:
            self.run_as = "nobody"
            entry = pwd.getpwnam(self.run_as)
            os.chmod(self.base, 0o700)
            os.chown(self.base, entry.pw_uid, entry.pw_gid)
            self._uid, self._gid = entry.pw_uid, entry.pw_gid
        os.makedirs(self.sockdir)
        self._own(self.sockdir)

    def _own(self, path):
        if self.run_as:
            os.chown(path, self._uid, self._gid)

    def _cmd(self, args):
        if self.run_as:
            return ["runuser", "-u", self.run_as, "--", *args]
        return args

    def _run(self, args, check=True, timeout=60):
        proc = subprocess.run(self._cmd(args), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              timeout=timeout, cwd=self.base, text=True)
        if check and proc.returncode != 0:
            raise RuntimeError(f"{args} failed ({proc.returncode}):\n{proc.stdout}")
        return proc

    def init(self, hba_lines, extra_conf=""):
        pwfile = os.path.join(self.base, "pwfile")
        with open(pwfile, "w") as f:
            f.write(self.password + "\n")
        self._own(pwfile)
        self._run([find_pg_bin("initdb"), "-D", self.data, "-U", self.SUPERUSER, "--auth=scram-sha-256",
                   f"--pwfile={pwfile}", "-E", "UTF8", "--no-sync", "--no-instructions"])
        os.unlink(pwfile)
        with open(os.path.join(self.data, "postgresql.conf"), "a") as f:
            f.write(
                "\n# drsynth test settings\n"
                "listen_addresses = '127.0.0.1'\n"
                f"port = {self.port}\n"
                f"unix_socket_directories = '{self.sockdir}'\n"
                "password_encryption = 'scram-sha-256'\n"
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
                "shared_buffers = 16MB\nmax_connections = 20\n"
                + extra_conf
            )
        with open(os.path.join(self.data, "pg_hba.conf"), "w") as f:
            f.write("local all all scram-sha-256\n" + "".join(line + "\n" for line in hba_lines))
        self._own(os.path.join(self.data, "pg_hba.conf"))

    def install_tls(self, pki):
        """Serve TLS with pki's server certificate (call after init, before start)."""
        for src, dst in ((pki.server_cert, "server.crt"), (pki.server_key, "server.key")):
            target = os.path.join(self.data, dst)
            shutil.copyfile(src, target)
            os.chmod(target, 0o600)
            self._own(target)
        with open(os.path.join(self.data, "postgresql.conf"), "a") as f:
            f.write("ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n")

    def start_with_tls(self, hba_lines, extra_conf="", prepare=None):
        """init, a fresh TestPki, TLS with its server certificate, start, then
        prepare(self) (roles, ...); on failure the cluster is removed and the
        error carries the server log. Returns the TestPki (its .ca verifies)."""
        try:
            self.init(hba_lines, extra_conf=extra_conf)
            pki = TestPki(self.base)
            self.install_tls(pki)
            self.start()
            if prepare:
                prepare(self)
            return pki
        except Exception as err:
            log = self.log()
            self.cleanup()
            raise RuntimeError("could not start the test PostgreSQL server:\n" + log) from err

    def make_standby(self):
        """Restart the (cleanly stopped) cluster in standby mode: pg_is_in_recovery() is true."""
        self._run([find_pg_bin("pg_ctl"), "-D", self.data, "-m", "fast", "-w", "-t", "30", "stop"])
        signal = os.path.join(self.data, "standby.signal")
        open(signal, "w").close()
        self._own(signal)
        self.start()

    def start(self):
        self._run([find_pg_bin("pg_ctl"), "-D", self.data, "-l", self.logfile, "-w", "-t", "30", "start"])

    def stop(self):
        if os.path.exists(os.path.join(self.data, "postmaster.pid")):
            self._run([find_pg_bin("pg_ctl"), "-D", self.data, "-m", "immediate", "-w", "-t", "30", "stop"],
                      check=False)

    def reload(self):
        self._run([find_pg_bin("pg_ctl"), "-D", self.data, "reload"])
        time.sleep(0.5)

    def psql(self, sql):
        """Run SQL as the superuser over TCP with the system psql."""
        env = dict(os.environ, PGPASSWORD=self.password, PGCONNECT_TIMEOUT="5")
        proc = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(self.port),
                               "-U", self.SUPERUSER, "-d", "postgres", "-tA", "-c", sql],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True, timeout=30)
        if proc.returncode != 0:
            raise RuntimeError(f"psql failed: {proc.stdout}")
        return proc.stdout.strip()

    def cleanup(self):
        try:
            self.stop()
        finally:
            shutil.rmtree(self.base, ignore_errors=True)

    def log(self):
        try:
            with open(self.logfile) as f:
                return f.read()
        except OSError:
            return ""


class TestPki:
    """A throw-away certificate authority and a server certificate for
    127.0.0.1, plus a second, unrelated authority (made with ``cryptography``)."""

    def __init__(self, directory):
        import datetime
        import ipaddress

        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID

        now = datetime.datetime.now(datetime.UTC)

        def name(cn):
            return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

        def authority(cn):
            key = ec.generate_private_key(ec.SECP256R1())
            cert = (x509.CertificateBuilder().subject_name(name(cn)).issuer_name(name(cn))
                    .public_key(key.public_key()).serial_number(x509.random_serial_number())
                    .not_valid_before(now - datetime.timedelta(hours=1))
                    .not_valid_after(now + datetime.timedelta(days=2))
                    .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                    .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                                 content_commitment=False, key_encipherment=False,
                                                 data_encipherment=False, key_agreement=False,
                                                 encipher_only=False, decipher_only=False), critical=True)
                    .sign(key, hashes.SHA256()))
            return key, cert

        def pem(cert):
            return cert.public_bytes(serialization.Encoding.PEM)

        ca_key, ca_cert = authority("drsynth test CA")
        _other_key, other_cert = authority("drsynth unrelated CA")
        server_key = ec.generate_private_key(ec.SECP256R1())
        server_cert = (x509.CertificateBuilder().subject_name(name("127.0.0.1")).issuer_name(ca_cert.subject)
                       .public_key(server_key.public_key()).serial_number(x509.random_serial_number())
                       .not_valid_before(now - datetime.timedelta(hours=1))
                       .not_valid_after(now + datetime.timedelta(days=2))
                       .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                                      critical=False)
                       .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                       .sign(ca_key, hashes.SHA256()))
        self.ca = os.path.join(directory, "test-ca.pem")
        self.other_ca = os.path.join(directory, "other-ca.pem")
        self.server_cert = os.path.join(directory, "server.crt")
        self.server_key = os.path.join(directory, "server.key")
        for path, data in ((self.ca, pem(ca_cert)), (self.other_ca, pem(other_cert)),
                           (self.server_cert, pem(server_cert)),
                           (self.server_key, server_key.private_bytes(serialization.Encoding.PEM,
                                                                      serialization.PrivateFormat.PKCS8,
                                                                      serialization.NoEncryption()))):
            with open(path, "wb") as f:
                f.write(data)
        os.chmod(self.server_key, 0o600)

    def server_context(self):
        import ssl
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.server_cert, self.server_key)
        return context


def have_cryptography():
    try:
        import cryptography  # noqa: F401
        return True
    except ImportError:
        return False
