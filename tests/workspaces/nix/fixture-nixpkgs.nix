# A tiny stand-in for nixpkgs: attribute sets that nix-env treats as derivations
# (type = "derivation"), so `nix-env -f fixture-nixpkgs.nix -qaP --json --meta` evaluates
# offline without building anything. Used by tests/test_nix_live.py.
{ ... }:
let
  pkg = { pname, version, outputs ? [ "out" ], meta ? { } }: {
    type = "derivation";
    name = "${pname}-${version}";
    inherit pname version outputs;
    outputName = builtins.head outputs;
    system = "x86_64-linux";
    outPath = "/nix/store/00000000000000000000000000000000-${pname}-${version}";
    meta = { description = "${pname} (fixture)"; } // meta;
  };
in
{
  zlib = pkg {
    pname = "zlib"; version = "1.3.1"; outputs = [ "out" "dev" "static" ];
    meta = { description = "Lossless data-compression library"; homepage = "https://zlib.net";
             license = { spdxId = "Zlib"; fullName = "zlib License"; }; };
  };
  openssl = pkg {
    pname = "openssl"; version = "3.4.0"; outputs = [ "bin" "dev" "out" "man" "doc" ];
    meta = { description = "Cryptographic library that implements the SSL and TLS protocols";
             homepage = "https://www.openssl.org/"; license = { spdxId = "Apache-2.0"; }; };
  };
  libpq = pkg {
    pname = "libpq"; version = "17.2"; outputs = [ "out" "dev" ];
    meta = { description = "C application programmer's interface to PostgreSQL"; };
  };
  gcc = pkg { pname = "gcc-wrapper"; version = "14.2.0"; };
}
