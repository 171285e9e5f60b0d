# pep725-ls without flakes:  nix-env -if /path/to/pep725-ls   or   nix-build /path/to/pep725-ls
{ pkgs ? import <nixpkgs> { } }:
pkgs.callPackage ./package.nix { }
