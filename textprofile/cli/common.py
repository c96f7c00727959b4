"""Options and plumbing every command shares: --home, --json, --debug, errors, progress.

A command parses its options, calls one library function inside ``handle_errors``, and renders
the result with ``emit`` — JSON on stdout under ``--json``, a rich rendering on stderr otherwise.
"""

from __future__ import annotations

import contextlib
import functools
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

HomeOpt = Annotated[
    str | None,
    typer.Option("--home", envvar="TEXTPROFILE_HOME", help="Workspace holding corpora/, models/, reports/ (default: current directory)."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout; logs and progress go to stderr.")]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show the full traceback on errors.")]
SeedOpt = Annotated[int, typer.Option("--seed", help="Random seed; the same input and seed give the same output.")]


def stderr_console():
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print one clear line on stderr and return the Exit to raise."""
    stderr_console().print(f"[bold red]error:[/] {message}", markup=True, soft_wrap=True)
    return typer.Exit(code)


def handle_errors(func: Callable) -> Callable:
    """Map TextProfileError (and Ctrl-C) to one stderr line and exit 1; ``--debug`` re-raises."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from textprofile.core.errors import TextProfileError

        debug = bool(kwargs.get("debug"))
        try:
            return func(*args, **kwargs)
        except TextProfileError as e:
            if debug:
                raise
            raise fail(str(e)) from None
        except KeyboardInterrupt:
            if debug:
                raise
            raise fail("interrupted; nothing was replaced (outputs are written atomically)", 130) from None
        except OSError as e:
            if debug:
                raise
            raise fail(os_error_message(e)) from None
        except MemoryError:
            if debug:
                raise
            raise fail("out of memory — try a smaller input, or fewer --jobs") from None

    return wrapper


def os_error_message(e: OSError) -> str:
    """'cannot write /x/y: Is a directory' — the user's path, not the temp file beside it."""
    path = e.filename
    if e.filename2 is not None and (path is None or Path(str(path)).name.startswith(".")):
        path = e.filename2  # os.replace(temp, target): the target is what the user named
    reason = e.strerror or type(e).__name__
    return f"{path}: {reason}" if path is not None else f"{reason}: {e}"


def to_jsonable(obj: Any) -> Any:
    """Make library results (dataclasses, Paths, numpy scalars, timestamps) JSON-safe."""
    import dataclasses

    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return to_jsonable(dataclasses.asdict(obj))
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, Path):
        return str(obj)
    if hasattr(obj, "item") and callable(obj.item) and getattr(obj, "ndim", 1) == 0:
        return obj.item()  # numpy scalar
    if hasattr(obj, "isoformat"):
        return obj.isoformat()
    return obj


def emit_json(obj: Any) -> None:
    """Print exactly one JSON object on stdout."""
    sys.stdout.write(json.dumps(to_jsonable(obj), ensure_ascii=False, sort_keys=True) + "\n")
    sys.stdout.flush()


@contextlib.contextmanager
def progress_bar(enabled: bool = True) -> Iterator[Callable[[str, int, int | None], None]]:
    """Yield a progress callback drawing rich bars on stderr (only when stderr is a terminal)."""
    if not enabled or not sys.stderr.isatty():
        yield lambda stage, done, total=None: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=stderr_console(), transient=True,
    ) as bar:
        tasks: dict[str, Any] = {}

        def update(stage: str, done: int, total: int | None = None) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield update
