"""The command line: a thin shell over the library (exit 2 on invalid input, no tracebacks).

Each module registers its commands on the one app; add a module here to add commands.
"""

from casebycase.cli import cases as cases
from casebycase.cli import decide as decide
from casebycase.cli import replay as replay
from casebycase.cli import report as report
from casebycase.cli import serve as serve
from casebycase.cli import users as users
from casebycase.cli import verify as verify
from casebycase.cli.shell import app

__all__ = ["app"]
