"""Starts the pep725-ls bundled in the VS Code extension; its libraries are in libs/ beside this file.

The extension runs it as ``python -I run_server.py``: isolated mode keeps the workspace folder,
PYTHONPATH and the user's site-packages off ``sys.path``, so nothing of the project being
edited (a folder named ``pygls``, say) is imported, and the bundled versions are the ones used.
"""

import os
import sys

if sys.version_info < (3, 11):
    sys.exit(f"pep725-ls needs Python 3.11 or newer; {sys.executable} is {sys.version.split()[0]}")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "libs"))

from pep725_ls.cli import main  # noqa: E402  (after the path is set)

sys.exit(main())
