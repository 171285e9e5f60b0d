# A fake derivation shaped like nixpkgs' stdenv.mkDerivation result, for what pep725-ls's
# generated files read: outputs (each reachable as drv.<output>, with outPath and
# outputSpecified like nixpkgs' multiple-output derivations), name, pname, version, passthru.
# Each output's path is <storeDir>/<32 chars of a hash>-<store name>, the store name being
# nixpkgs' <pname>-<version>, plus -<output> for every output but "out".
{ storeDir }:
{ pname, version, outputs, passthru ? { } }:
let
  name = if version == "" then pname else "${pname}-${version}";
  storeName = output: if output == "out" then name else "${name}-${output}";
  path = output:
    let n = storeName output; in "${storeDir}/${builtins.substring 0 32 (builtins.hashString "sha256" n)}-${n}";
  common = {
    type = "derivation";
    inherit name pname version outputs;
    system = "x86_64-linux";
    drvPath = "${path "out"}.drv";
  };
  byOutput = builtins.listToAttrs (map (o: { name = o; value = output o; }) outputs);
  output = o: byOutput // passthru // common // { outputName = o; outPath = path o; outputSpecified = true; };
  first = builtins.head outputs;
in
byOutput // passthru // common // { outputName = first; outPath = path first; }
