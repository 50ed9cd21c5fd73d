"""The command-line application: one Typer app, two consoles, one error handler, and the
shared ways to print listings (a table on a terminal, tab-separated lines or JSON otherwise)
and prose (wrapped at the terminal width).

Commands import what they need inside their function, so that ``--help`` and the light
commands never pay for SQLAlchemy, Polars or the server.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import typer
from rich.console import Console
from typer.core import TyperArgument, TyperOption

from casebycase.errors import CaseByCaseError

app = typer.Typer(
    help="Decide each federal immigration request case by case, and show the work.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
out = Console(highlight=False, soft_wrap=True, emoji=False)
err = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)


def _no_type(_param: TyperArgument, ctx: Any) -> str | None:
    return None  # an argument's placeholder (its metavar) is already in the name column


def _placeholder(param: TyperOption, ctx: Any) -> str | None:
    if param.is_flag or param.count:
        return None
    return param.metavar or (param.name or "value").upper()


def _usage(param: TyperArgument) -> str:
    name = param.metavar or (param.name or "arg").upper()
    name = name if param.required else f"[{name}]"
    return name + ("..." if param.nargs != 1 and not name.endswith("...") else "")


# Help shows placeholders people read (FILE, PACK, DATE), never Python types (<bool>, <str>).
setattr(TyperArgument, "display_type_rich", _no_type)  # noqa: B010
setattr(TyperOption, "display_type_rich", _placeholder)  # noqa: B010
if hasattr(TyperArgument, "_usage_display_name"):
    setattr(TyperArgument, "_usage_display_name", _usage)  # noqa: B010


@contextmanager
def errors() -> Iterator[None]:
    """Print a library error as what, where and how to fix it; exit with status 2."""
    try:
        yield
    except CaseByCaseError as exc:
        err.print(f"[red]error:[/red] {exc.title}", markup=True)
        for p in exc.problems:
            err.print(f"  {p}", markup=False)
        raise typer.Exit(2) from None


def fail(message: str, status: int = 2) -> typer.Exit:
    """Print ``error: message`` on stderr; return the exit to raise."""
    err.print(f"[red]error:[/red] {message}", markup=True, highlight=False)
    return typer.Exit(status)


def print_json(data: Any) -> None:
    """JSON on stdout, one document, indented."""
    out.print(json.dumps(data, indent=2, ensure_ascii=False, default=str), markup=False)


def listing(
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    as_json: bool = False,
    title: str | None = None,
) -> None:
    """Rows as a table on a terminal; as tab-separated lines (a header line first) when
    stdout is a pipe or file, so ids are never wrapped or cut; as a JSON list with --json."""
    cells = [["" if c is None else str(c) for c in row] for row in rows]
    if as_json:
        print_json([dict(zip(columns, row, strict=True)) for row in rows])
    elif not out.is_terminal:
        for line in [list(columns), *cells]:
            plain_line("\t".join(c.replace("\t", " ").replace("\n", " ") for c in line))
    else:
        from rich.table import Table
        from rich.text import Text

        table = Table(title=title)
        for i, col in enumerate(columns):  # the first column is the id: never cut
            table.add_column(col, no_wrap=i == 0, overflow="fold")
        for row in cells:
            table.add_row(*(Text(c) for c in row))
        out.print(table)


def plain_line(text: str) -> None:
    """One line on stdout exactly as given (no markup, tabs kept)."""
    out.file.write(text + "\n")
    out.file.flush()


def say(text: str, indent: str = "", hanging: str | None = None, style: str = "") -> None:
    """Prose wrapped at the terminal width (80 columns when not a terminal)."""
    width = max(out.width, 40)
    for i, paragraph in enumerate(text.split("\n\n")):  # lines within a paragraph join
        if i:
            out.print()
        lines = textwrap.wrap(
            " ".join(paragraph.split()),
            width=width,
            initial_indent=indent,
            subsequent_indent=indent + "  " if hanging is None else hanging,
            break_on_hyphens=False,
            break_long_words=False,
        ) or [indent]
        for line in lines:
            out.print(line, markup=False, style=style or None)


_REGISTRY: Any = None


def registry() -> Any:
    """The packs this process serves by id: built once, on first use, and passed down."""
    global _REGISTRY
    if _REGISTRY is None:
        from casebycase.policy.registry import Registry

        _REGISTRY = Registry()
    return _REGISTRY
