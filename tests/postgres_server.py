"""A PostgreSQL server for the tests, had without manual steps.

The server named by ``CASEBYCASE_TEST_POSTGRES_URL`` when it is set (an admin URL or libpq
DSN; the tests create and drop throw-away databases in it), otherwise a throw-away server
started once per test session in a temporary folder, listening only on a unix socket there.
Its binaries are looked for in ``CASEBYCASE_TEST_POSTGRES_BIN``, on ``PATH``, in Debian's
``/usr/lib/postgresql/<version>/bin`` (newest first), other usual places, and last in the
``pgserver`` package from PyPI (a dev dependency on Linux x86-64 and macOS). As root the server
runs as the ``postgres`` user, or ``nobody``: PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from sqlalchemy.engine import URL

URL_ENV = "CASEBYCASE_TEST_POSTGRES_URL"
BIN_ENV = "CASEBYCASE_TEST_POSTGRES_BIN"
SEARCHED = (
    "/usr/lib/postgresql/*/bin",
    "/usr/pgsql-*/bin",
    "/usr/local/pgsql/bin",
    "/opt/homebrew/opt/postgresql@*/bin",
    "/usr/local/opt/postgresql@*/bin",
)
HOW_TO_GET_ONE = (
    f"Set {URL_ENV} to an admin URL of a running server (for example "
    f"postgresql://postgres@127.0.0.1:5432/postgres), or install the PostgreSQL server "
    f"binaries (Debian/Ubuntu: apt-get install postgresql; macOS: brew install postgresql) "
    f"or the pgserver package (pip install pgserver), or point {BIN_ENV} at the folder "
    f"holding initdb and pg_ctl."
)


class NoServer(Exception):
    """No PostgreSQL server can be had for the tests; the message says what to do."""


@dataclass(frozen=True)
class PostgresServer:
    """Where the tests' PostgreSQL server listens, as libpq parameters of the admin database."""

    params: dict[str, str]
    origin: str

    def connect(self, **kwargs: Any) -> psycopg.Connection[tuple[Any, ...]]:
        return psycopg.connect(make_conninfo(**self.params), autocommit=True, **kwargs)

    def url(self, dbname: str) -> str:
        """A SQLAlchemy URL for database ``dbname`` on this server."""
        rest = {k: v for k, v in self.params.items() if k not in {"user", "password", "dbname"}}
        return URL.create(
            "postgresql+psycopg",
            username=self.params.get("user"),
            password=self.params.get("password"),
            database=dbname,
            query=rest,
        ).render_as_string(hide_password=False)


def from_env(value: str) -> PostgresServer:
    """The server an admin URL or DSN names (``postgresql+psycopg://`` is taken too)."""
    try:
        params = conninfo_to_dict(re.sub(r"^postgresql\+\w+://", "postgresql://", value.strip()))
    except psycopg.ProgrammingError as exc:
        raise NoServer(
            f"{URL_ENV}={value!r} is not a PostgreSQL URL or DSN ({exc}); "
            "use e.g. postgresql://postgres@127.0.0.1:5432/postgres"
        ) from None
    params.setdefault("dbname", "postgres")
    return PostgresServer({k: str(v) for k, v in params.items()}, f"{URL_ENV}={value}")


def find_bindir() -> Path | None:
    """A folder with ``initdb``, ``pg_ctl`` and ``postgres``, or None."""

    def usable(d: Path) -> bool:
        return all(os.access(d / name, os.X_OK) for name in ("initdb", "pg_ctl", "postgres"))

    if os.environ.get(BIN_ENV):
        if not usable(chosen := Path(os.environ[BIN_ENV])):
            raise NoServer(
                f"{BIN_ENV}={chosen} does not hold initdb, pg_ctl and postgres; "
                f"point it at a PostgreSQL bin folder or unset it"
            )
        return chosen
    on_path = shutil.which("pg_ctl")
    candidates = [Path(on_path).resolve().parent] if on_path else []
    for pattern in SEARCHED:
        found = Path("/").glob(pattern.lstrip("/"))
        candidates += sorted(found, key=_version_key, reverse=True)
    spec = importlib.util.find_spec("pgserver")
    if spec is not None and spec.origin is not None:
        candidates.append(Path(spec.origin).parent / "pginstall" / "bin")
    return next((d for d in candidates if usable(d)), None)


def _version_key(path: Path) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", str(path)))


def _account() -> pwd.struct_passwd | None:
    """The account the server runs as when the tests run as root; None when not root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise NoServer(
        "running as root, and PostgreSQL refuses root, but there is neither a "
        f"'postgres' nor a 'nobody' account to run it as. {HOW_TO_GET_ONE}"
    )


@contextmanager
def temporary_server(bindir: Path) -> Iterator[PostgresServer]:
    """Start a server from ``bindir`` in a temporary folder; stop it and remove the folder."""
    account = _account()
    folder = Path(tempfile.mkdtemp(prefix="cbc-pg-", dir="/tmp" if Path("/tmp").is_dir() else None))
    data, log = folder / "data", folder / "server.log"

    def run(*args: str) -> None:
        done = subprocess.run(
            [str(bindir / args[0]), *args[1:]],
            cwd=folder,
            check=False,
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "LC_ALL": "C"},
            user=account.pw_uid if account else None,
            group=account.pw_gid if account else None,
            extra_groups=[] if account else None,
        )
        if done.returncode != 0:
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            who = f" as user {account.pw_name}" if account else ""
            raise NoServer(
                f"{args[0]} from {bindir} failed{who} (exit {done.returncode}): "
                f"{done.stderr.strip()}\n{tail}\n{HOW_TO_GET_ONE}"
            )

    try:
        if account:
            os.chown(folder, account.pw_uid, account.pw_gid)
        run(
            "initdb",
            "-D",
            str(data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
        )
        try:
            run(
                "pg_ctl",
                "start",
                "-D",
                str(data),
                "-l",
                str(log),
                "-w",
                "-t",
                "60",
                "-o",
                f"-c listen_addresses='' -k '{folder}' -p 5432 -F",
            )
        except NoServer:
            with suppress(NoServer):  # a server that started too slowly still runs
                run("pg_ctl", "stop", "-D", str(data), "-m", "immediate", "-w")
            raise
        try:
            yield PostgresServer(
                {"host": str(folder), "port": "5432", "user": "postgres", "dbname": "postgres"},
                f"temporary server from {bindir}",
            )
        finally:
            run("pg_ctl", "stop", "-D", str(data), "-m", "fast", "-w", "-t", "60")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def session_server() -> Iterator[PostgresServer]:
    """The tests' server: the one the environment names, else a temporary one."""
    if os.environ.get(URL_ENV):
        server = from_env(os.environ[URL_ENV])
        try:
            server.connect(connect_timeout=5).close()
        except psycopg.OperationalError as exc:
            raise NoServer(
                f"cannot connect to the server {URL_ENV} names ({exc}); start it, "
                f"fix the URL, or unset {URL_ENV} to have the tests start "
                "their own"
            ) from None
        yield server
        return
    bindir = find_bindir()
    if bindir is None:
        raise NoServer(
            f"no PostgreSQL server binaries (initdb, pg_ctl) were found on PATH, "
            f"in {', '.join(SEARCHED)} or in the pgserver package. {HOW_TO_GET_ONE}"
        )
    with temporary_server(bindir) as server:
        yield server
