"""The ``aftersales`` command: Django's management commands under one name.

``aftersales serve | worker | tick | up | demo | import-sales | contest-verify | createsuperuser | migrate …``
"""

from __future__ import annotations

import os
import sys

ALIASES = {
    "worker": "db_worker",
    "import-sales": "import_sales",
}


def main(argv: list[str] | None = None) -> None:
    """Run a management command, accepting dashed names and the aliases above."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.config.settings")
    args = list(sys.argv if argv is None else argv)
    if len(args) > 1:
        command = args[1]
        args[1] = ALIASES.get(command, command.replace("-", "_") if not command.startswith("-") else command)
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)


if __name__ == "__main__":
    main()
