"""``python -m pep725_ls``: the same as the ``pep725-ls`` command."""

from .cli import main

raise SystemExit(main())
