# Passthru attributes that nix-index does not list as top-level attributes, each checked
# against nixpkgs source (NixOS/nixpkgs):
# - stdenv.cc is the cc-wrapper (attribute gcc, pname gcc-wrapper) and its passthru cc is
#   the unwrapped gcc: pkgs/development/compilers/gcc/default.nix (commit 01363563) names it
#   "gcc" with outputs out, man, info, lib; common/libgcc.nix (02d79c9c) adds the libgcc
#   output (libgcc_s.so.1, with a symlink left in lib). nix-index dedups store paths and
#   lists that store path (gcc-<version>: out,checksum,info,lib,libgcc,man) under the
#   attribute libgcc, so stdenv.cc.cc is that derivation and stdenv.cc.cc.lib is
#   gcc-<version>-lib, which ships libstdc++.so.6 (vendored sonames.tsv).
# - gfortran = wrapCC (gcc.cc.override { name = "gfortran"; langFortran = true;
#   langC = false; ... }) (pkgs/top-level/all-packages.nix): its cc is a gcc build named
#   gfortran with the same outputs; its lib output holds the Fortran runtime (nixpkgs
#   packages link ${gfortran.cc.lib}/lib/libgfortran.*).
# - libpq: passthru.pg_config = buildPackages.callPackage ./pg_config.nix {…}
#   (pkgs/servers/sql/postgresql/libpq.nix, 359f8630), a derivation named "pg_config"
#   holding bin/pg_config (pg_config.nix, 1779f9e0: replaceVarsWith { name = "pg_config";
#   dir = "bin"; }).
{ pkgs, mk, records, lib }:
let
  record = r: removeAttrs r [ "__record" ];
  withPassthru = r: passthru: mk (record r // { inherit passthru; });
  hostPlatform = { system = "x86_64-linux"; isLinux = true; isDarwin = false; isx86_64 = true; isAarch64 = false; };
in
{
  gcc = withPassthru records.gcc { cc = pkgs.libgcc; };
  gfortran = withPassthru records.gfortran {
    cc = mk { pname = "gfortran"; version = records.gfortran.version; outputs = [ "out" "man" "info" "lib" "libgcc" ]; };
  };
  libpq = withPassthru records.libpq { pg_config = mk { pname = "pg_config"; version = ""; outputs = [ "out" ]; }; };
  stdenv = {
    cc = pkgs.gcc;
    inherit hostPlatform;
    buildPlatform = hostPlatform;
    targetPlatform = hostPlatform;
    inherit (hostPlatform) system isLinux isDarwin;
  };
}
