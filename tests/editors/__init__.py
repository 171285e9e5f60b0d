"""Tests that drive real editors (VS Code via code-server, Neovim, Emacs) against pep725-ls.

A package so that its conftest does not shadow tests/conftest.py as the module `conftest`.
"""
