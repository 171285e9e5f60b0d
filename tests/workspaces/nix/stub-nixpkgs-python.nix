# A stand-in for nixpkgs with just what package.nix and flake.nix use, to evaluate them offline:
# lib's fileset/genAttrs/licenses, callPackage, mkShell, nodejs, and python3Packages holding
# only the Python libraries pep725-ls depends on (nixpkgs names, checked against nixpkgs'
# pkgs/development/python-modules/) plus setuptools. A name package.nix asks for that is not
# here fails the evaluation. Written for tests/test_nix_package.py.
let
  drv = name: {
    type = "derivation";
    inherit name;
    pname = name;
    outPath = "/nix/store/00000000000000000000000000000000-${name}";
  };
  python = names: builtins.listToAttrs (map (n: { name = n; value = drv n; }) names);
in
rec {
  lib = {
    genAttrs = names: f: builtins.listToAttrs (map (n: { name = n; value = f n; }) names);
    fileset = {
      unions = files: files;
      # the real one copies these files into the store; the stub lists them
      toSource = { root, fileset }: { inherit root; files = map toString fileset; };
    };
    licenses.mit = { spdxId = "MIT"; };
  };
  callPackage = path: overrides:
    let f = import path;
    in f (builtins.intersectAttrs (builtins.functionArgs f) pkgs // overrides);
  pkgs = { inherit lib python3Packages callPackage mkShell nodejs; };
  mkShell = args: args // { shell = true; };
  nodejs = drv "nodejs";
  python3Packages = python [
    "setuptools" "pygls" "lsprotocol" "packageurl-python" "packaging" "tomlkit" "pyelftools" "platformdirs"
  ] // {
    buildPythonApplication = args: drv "${args.pname}-${args.version}" // args;
  };
}
