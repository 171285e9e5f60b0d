# pep725-ls as a Nix package, built from this checkout with nixpkgs' Python libraries.
#   nix-build -E 'with import <nixpkgs> { }; callPackage ./package.nix { }'    (or: flake.nix, default.nix)
# Needs a nixpkgs whose python3Packages.pygls is 2.x (nixos-unstable at the time of writing);
# buildPythonApplication's runtime-dependency check says so if it is older.
{ lib, python3Packages }:

let
  # One version, the package's own (server/pep725_ls/__init__.py), as pyproject.toml reads it.
  version = builtins.head (builtins.match ''.*__version__ = "([^"]+)".*''
    (builtins.readFile ./server/pep725_ls/__init__.py));
in
python3Packages.buildPythonApplication {
  pname = "pep725-ls";
  inherit version;
  pyproject = true;

  # Only what the build reads: not .venv, node_modules or the tests.
  src = lib.fileset.toSource {
    root = ./.;
    fileset = lib.fileset.unions [ ./pyproject.toml ./README.md ./LICENSE ./server ];
  };

  build-system = [ python3Packages.setuptools ];

  # pyproject.toml's [project].dependencies, by their nixpkgs names.
  dependencies = with python3Packages; [
    pygls
    lsprotocol
    packageurl-python
    packaging
    tomlkit
    pyelftools
    platformdirs
  ];

  pythonImportsCheck = [ "pep725_ls" ];

  meta = {
    description = "Language server, checker and Nix environment generator for the PEP 725 [external] table of pyproject.toml";
    license = lib.licenses.mit;
    mainProgram = "pep725-ls";
  };
}
