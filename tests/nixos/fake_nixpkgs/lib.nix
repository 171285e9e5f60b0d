# The part of nixpkgs' lib that generated shells use, with nixpkgs' semantics:
# getOutput is lib/attrsets.nix's (an output chosen with drv.<output> stays chosen),
# makeSearchPathOutput/makeLibraryPath/makeBinPath/makeIncludePath are lib/strings.nix's
# (NixOS/nixpkgs; makeLibraryPath = makeSearchPathOutput "lib" "lib", so it takes
# p.lib or p.out).
let
  getOutput = output: pkg:
    if !pkg ? outputSpecified || !pkg.outputSpecified then pkg.${output} or pkg.out or pkg else pkg;
  makeSearchPath = subDir: paths:
    builtins.concatStringsSep ":" (map (path: "${path}/${subDir}") (builtins.filter (x: x != null) paths));
  makeSearchPathOutput = output: subDir: pkgs: makeSearchPath subDir (map (getOutput output) pkgs);
in
{
  inherit getOutput makeSearchPath makeSearchPathOutput;
  getBin = getOutput "bin";
  getLib = getOutput "lib";
  getDev = getOutput "dev";
  getMan = getOutput "man";
  makeLibraryPath = makeSearchPathOutput "lib" "lib";
  makeBinPath = makeSearchPathOutput "bin" "bin";
  makeIncludePath = makeSearchPathOutput "dev" "include";
  optional = cond: elem: if cond then [ elem ] else [ ];
  optionals = cond: elems: if cond then elems else [ ];
  optionalString = cond: string: if cond then string else "";
  concatStringsSep = builtins.concatStringsSep;
  concatMapStringsSep = sep: f: list: builtins.concatStringsSep sep (map f list);
  platforms.linux = [ "x86_64-linux" "aarch64-linux" ];
}
