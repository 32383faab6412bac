"""`grade doctor`: which layers of the candidate sandbox this machine offers."""

from __future__ import annotations

import sys

import click

from grader.cli.options import json_option

__all__ = ["doctor_command"]


_LAYER_HELP = {
    "landlock": "files: only Python's runtime and the module's private copy (read), one scratch folder (write); "
    "TCP only to ports a test names; no signals or abstract sockets out",
    "seccomp": "no UDP, raw, netlink or named Unix sockets; no io_uring, ptrace, namespaces, BPF, keyring",
    "pidns": "a PID namespace: every process the candidate starts dies with its question",
    "cgroup": "memory and process count capped for the whole process tree",
    "disk": "the scratch folder is a size-limited tmpfs: 256 MiB for everything the app writes",
    "nocaps": "no capabilities, even when grading as root; no_new_privs",
    "rlimits": "per-process memory, file size, CPU time, open files; no core dumps",
    "env": "started from a fresh interpreter with a fixed minimal environment; no inherited file descriptors",
}


@click.command("doctor", short_help="Which sandbox layers this machine offers.")
@json_option
def doctor_command(as_json: bool) -> None:
    """Probe, in a throw-away process, which layers of the candidate sandbox work on this machine.

    Exit 0 when every layer works (`grade --sandbox require` will grade), 1 when some are missing
    (`--sandbox auto` grades with the others and says so in every report).
    """
    import json
    import platform

    from grader.sandbox import LAYERS, probe

    report = probe() if hasattr(__import__("os"), "fork") else {layer: "needs fork (POSIX)" for layer in LAYERS}
    if as_json:
        data = {"platform": f"{platform.system()} {platform.release()}", "layers": report}
        click.echo(json.dumps(data, indent=2))
    else:
        click.echo(f"{platform.system()} {platform.release()}, Python {platform.python_version()}")
        for layer in LAYERS:
            why = report[layer]
            mark = click.style("ok     ", fg="green") if not why else click.style("missing", fg="yellow")
            click.echo(f"  {layer:<9} {mark}  {_LAYER_HELP[layer]}" + (f"\n            why: {why}" if why else ""))
    sys.exit(1 if any(report.values()) else 0)
