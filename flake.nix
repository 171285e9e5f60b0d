{
  description = "pep725-ls: language server, checker and Nix environment generator for PEP 725 [external]";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = { self, nixpkgs }:
    let
      systems = [ "x86_64-linux" "aarch64-linux" "x86_64-darwin" "aarch64-darwin" ];
      forAllSystems = f: nixpkgs.lib.genAttrs systems (system: f system nixpkgs.legacyPackages.${system});
    in
    {
      packages = forAllSystems (system: pkgs: {
        pep725-ls = pkgs.callPackage ./package.nix { };
        default = self.packages.${system}.pep725-ls;
      });

      apps = forAllSystems (system: pkgs: {
        pep725-ls = {
          type = "app";
          program = "${self.packages.${system}.pep725-ls}/bin/pep725-ls";
        };
        default = self.apps.${system}.pep725-ls;
      });

      # Python with the server's libraries and setuptools; Node for editors/vscode/build.sh.
      devShells = forAllSystems (system: pkgs: {
        default = pkgs.mkShell {
          inputsFrom = [ self.packages.${system}.pep725-ls ];
          packages = [ pkgs.nodejs ];
        };
      });
    };
}
