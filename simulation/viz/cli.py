"""`collabsim viz`: serve the browser app (simulation/viz/app.py) with Solara.

The port is checked before Solara starts, so a port in use gives one clear line and
exit status 2 instead of a server traceback.

The server runs offline and forgets closed sessions (see :func:`solara_environment`):
Solara's usage telemetry is off and it writes nothing under ``~/.solara`` (its home is a
temporary directory removed on exit); a session whose browser tab has gone is freed
after ``--session-timeout`` seconds instead of Solara's default of 24 hours. Listening
on anything but loopback prints a warning (the app has no log-in) and the addresses
students can type.
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

from ..commands import command
from ..errors import UserError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
#: Seconds a session whose tab was closed (or lost its connection) keeps its models, so a
#: student whose laptop slept for a moment carries on; after that its memory is freed.
DEFAULT_SESSION_TIMEOUT_S = 120
APP = Path(__file__).with_name("app.py")


def _args(p) -> None:
    p.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to listen on (default {DEFAULT_HOST}; 0.0.0.0 for all)",
    )
    p.add_argument(
        "--port", default=str(DEFAULT_PORT), help=f"port to listen on (default {DEFAULT_PORT})"
    )
    p.add_argument(
        "--session-timeout",
        default=str(DEFAULT_SESSION_TIMEOUT_S),
        help="seconds a closed or disconnected browser session keeps its models before "
        f"they are freed (default {DEFAULT_SESSION_TIMEOUT_S})",
    )


def parse_session_timeout(text: str) -> float:
    try:
        value = float(str(text).strip())
    except ValueError:
        value = float("nan")
    if not 0 < value <= 86400:
        raise UserError(
            f"--session-timeout must be a number of seconds above 0 and at most 86400, not {text!r}"
        )
    return value


def parse_port(text: str) -> int:
    try:
        port = int(str(text).strip())
    except ValueError:
        raise UserError(f"--port must be a whole number from 1 to 65535, not {text!r}") from None
    if not 1 <= port <= 65535:
        raise UserError(f"--port must be a whole number from 1 to 65535, not {port}")
    return port


def check_port_free(host: str, port: int) -> None:
    """Raise UserError if nothing can listen on host:port (in use, or not our address)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise UserError(f"cannot listen on host {host!r}: unknown address") from None
    family, _, _, _, address = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as s:
        try:
            s.bind(address)
        except OSError as e:
            if e.errno in (98, 48, 10048):  # EADDRINUSE on Linux, macOS, Windows
                raise UserError(
                    f"port {port} on {host} is already in use; stop the other "
                    f"server or choose another port with --port"
                ) from None
            raise UserError(f"cannot listen on {host}:{port}: {e.strerror}") from None


def solara_environment(home: str | Path, session_timeout_s: float) -> dict[str, str]:
    """Settings for the Solara server (Solara reads them from the environment).

    Telemetry off (``SOLARA_TELEMETRY_MIXPANEL_ENABLE``) and a fixed server id, so Solara
    neither posts usage data nor writes ``server_user_id.txt``; its home (``SOLARA_HOME``)
    is ``home``, a directory of our own; closed sessions are culled after
    ``session_timeout_s`` (``SOLARA_KERNEL_CULL_TIMEOUT``); no "runs on Solara" banner
    over the plots (``SOLARA_THEME_SHOW_BANNER``).
    """
    return {
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false",
        "SOLARA_TELEMETRY_SERVER_USER_ID": "collabsim-offline",
        "SOLARA_HOME": str(home),
        "SOLARA_KERNEL_CULL_TIMEOUT": f"{session_timeout_s:g}s",
        "SOLARA_THEME_SHOW_BANNER": "false",
    }


def lan_addresses() -> list[str]:
    """This machine's IPv4 addresses other than loopback (what students can connect to)."""
    import psutil

    found = []
    for addrs in psutil.net_if_addrs().values():
        for a in addrs:
            if a.family == socket.AF_INET:
                ip = ipaddress.ip_address(a.address)
                if not (ip.is_loopback or ip.is_link_local or ip.is_unspecified):
                    found.append(a.address)
    return sorted(set(found), key=ipaddress.ip_address)


def exposure_warning(host: str, port: int) -> str | None:
    """The warning printed when the server is reachable from other machines, or None."""
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        ip = None
    if host == "localhost" or (ip is not None and ip.is_loopback):
        return None
    if ip is not None and ip.is_unspecified:
        addresses = lan_addresses()
    else:
        addresses = [host]
    lines = [
        f"collabsim viz: warning: listening on {host}, so anyone who can reach this machine "
        "can use the app: it has no log-in or password. Use it on a network you trust."
    ]
    if addresses:
        lines.append("Students can connect to:")
        lines += [f"  http://{a}:{port}/" for a in addresses]
    else:
        lines.append("No network address other than loopback was found on this machine.")
    return "\n".join(lines)


def solara_command(host: str, port: int) -> list[str]:
    """The Solara server command (no version check: it would call out to PyPI)."""
    return [
        sys.executable,
        "-m",
        "solara",
        "run",
        str(APP),
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-open",
        "--no-check-version",
    ]


@command(
    "viz", "serve the browser visualisation (Explore, Compare, teaching demos)", arguments=_args
)
def cmd_viz(args) -> int:
    port = parse_port(args.port)
    timeout = parse_session_timeout(args.session_timeout)
    check_port_free(args.host, port)
    print(f"collabsim viz: serving on http://{args.host}:{port}/ (Ctrl-C to stop)", flush=True)
    warning = exposure_warning(args.host, port)
    if warning:
        print(warning, flush=True)
    home = tempfile.mkdtemp(prefix="collabsim-solara-")
    env = {**os.environ, **solara_environment(home, timeout)}
    server = subprocess.Popen(solara_command(args.host, port), env=env)
    # Stopping `collabsim viz` (Ctrl-C, or SIGTERM from a service manager) stops Solara too.
    signal.signal(signal.SIGTERM, lambda *_: server.terminate())
    try:
        return server.wait()
    except KeyboardInterrupt:
        server.terminate()
        server.wait()
        return 0
    finally:
        shutil.rmtree(home, ignore_errors=True)
