"""pep725-ls: a language server for the PEP 725 ``[external]`` table of pyproject.toml."""

__version__ = "0.1.0"
