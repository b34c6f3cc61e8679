"""`python -m provider.emulator`: serve the emulator until interrupted.

The first line of stdout is the base URL, so scripts can start it on port 0 and read where it is.
"""

from __future__ import annotations

import argparse
import ipaddress
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from .api import ROUTE_NAMES
from .faults import Faults, ScriptedAnswer
from .server import Emulator


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m provider.emulator",
        description="Local emulator of the LaunchDarkly integration-configurations API.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to listen on; 0 picks a free one (default)")
    parser.add_argument("--token", default=None, help="the only access token accepted (default: any)")
    parser.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a non-loopback --host (the emulator has no TLS and holds secrets)",
    )
    parser.add_argument("--log-requests", action="store_true", help="log each request to stderr")
    faults = parser.add_argument_group(
        "fault injection", "Make the emulator misbehave like the real service under load (off by default)."
    )
    faults.add_argument(
        "--window",
        type=float,
        default=10.0,
        help="rate-limit window in seconds (default: 10, like LaunchDarkly)",
    )
    faults.add_argument(
        "--route-limit",
        type=int,
        metavar="N",
        help="requests per window per route, then 429 with X-Ratelimit-* headers",
    )
    faults.add_argument("--global-limit", type=int, metavar="N", help="requests per window in all, likewise")
    faults.add_argument(
        "--ip-limit",
        type=int,
        metavar="N",
        help="requests per window per client address, then 429 with Retry-After only",
    )
    faults.add_argument(
        "--error-rate",
        type=float,
        default=0.0,
        metavar="FRACTION",
        help="answer this fraction with 500/502/503/504",
    )
    faults.add_argument("--latency", type=float, default=0.0, metavar="SECONDS", help="delay every answer")
    faults.add_argument(
        "--drop-after-create",
        type=float,
        default=0.0,
        metavar="FRACTION",
        help="store this fraction of creates, then close the connection without answering",
    )
    faults.add_argument(
        "--script",
        action="append",
        default=[],
        metavar="ROUTE=ANSWER[,ANSWER...]",
        help=(
            f"the next answers of a route ({', '.join(ROUTE_NAMES)}); an answer is pass, drop or a status, "
            "with options such as 429:reset=0.8, 429:retry-after=1, pass:delay=2 (repeatable)"
        ),
    )
    faults.add_argument("--seed", type=int, help="seed for the random faults, to repeat a run exactly")
    args = parser.parse_args(argv)
    if not _is_loopback(args.host) and not args.allow_remote:
        parser.error(f"refusing to listen on non-loopback host {args.host!r} without --allow-remote")
    try:
        args.faults = _faults(args)
    except ValueError as error:
        parser.error(str(error))
    return args


def _faults(args: argparse.Namespace) -> Faults | None:
    scripts: dict[str, list[ScriptedAnswer]] = {}
    for entry in args.script:
        route, separator, answers = entry.partition("=")
        if not separator or not answers:
            raise ValueError(f"--script needs ROUTE=ANSWER[,ANSWER...], got {entry!r}")
        scripts.setdefault(route.strip(), []).extend(
            ScriptedAnswer.parse(text) for text in answers.split(",")
        )
    faults = Faults(
        window=args.window,
        route_limit=args.route_limit,
        global_limit=args.global_limit,
        ip_limit=args.ip_limit,
        error_rate=args.error_rate,
        latency=args.latency,
        drop_after_create=args.drop_after_create,
        seed=args.seed,
        scripts=scripts,
    )
    return None if faults == Faults(window=args.window) else faults


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse_args(argv)
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)

    emulator = Emulator(
        host=args.host, port=args.port, token=args.token, log_requests=args.log_requests, faults=args.faults
    )
    try:
        emulator.start()
    except OSError as error:
        print(f"cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr)
        return 1
    try:
        print(emulator.url, flush=True)
        # A bounded wait keeps the main thread responsive to signals on every platform.
        while not stop.wait(0.5):
            pass
    finally:
        emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
