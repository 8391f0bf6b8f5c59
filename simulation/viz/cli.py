"""`collabsim viz`: serve the browser app (simulation/viz/app.py) with Solara.

The port is checked before Solara starts, so a port in use gives one clear line and
exit status 2 instead of a server traceback.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from pathlib import Path

from ..commands import command
from ..errors import UserError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
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
    check_port_free(args.host, port)
    print(f"collabsim viz: serving on http://{args.host}:{port}/ (Ctrl-C to stop)", flush=True)
    server = subprocess.Popen(solara_command(args.host, port))
    # Stopping `collabsim viz` (Ctrl-C, or SIGTERM from a service manager) stops Solara too.
    signal.signal(signal.SIGTERM, lambda *_: server.terminate())
    try:
        return server.wait()
    except KeyboardInterrupt:
        server.terminate()
        server.wait()
        return 0
