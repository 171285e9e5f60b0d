# A stand-in for nixpkgs, small enough to evaluate offline: stub derivations and the two
# functions shell.nix uses (mkShell, lib.makeLibraryPath). Written for pep725-ls's tests.
let
  drv = name: {
    type = "derivation";
    inherit name;
    outPath = "/nix/store/0000000000000000000000000000000${toString (builtins.stringLength name)}-${name}";
  };
in
rec {
  lib.makeLibraryPath = ds: builtins.concatStringsSep ":" (map (d: "${d.lib or d}/lib") ds);
  mkShell = args: args // { shell = true; };
  gcc = drv "gcc";
  clang = drv "clang";
  rustc = drv "rustc";
  cargo = drv "cargo";
  pkg-config = drv "pkg-config";
  openssl = drv "openssl";
  libffi = drv "libffi";
  zlib = drv "zlib";
  libxml2 = drv "libxml2";
  libxslt = drv "libxslt";
  libxcb = drv "libxcb";
  cmake = drv "cmake";
  blas = drv "blas";
  llvmPackages = { openmp = drv "openmp"; };
  # Outputs as nixpkgs has them: the unwrapped compiler's lib output (gcc-<version>-lib)
  # and libpq's passthru pg_config derivation.
  stdenv.cc.cc = drv "gcc-15.2.0" // { lib = drv "gcc-15.2.0-lib"; };
  libpq = drv "libpq" // { pg_config = drv "libpq-pg_config"; };
}
