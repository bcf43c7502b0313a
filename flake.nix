{
  description = "looop: a tiny, Kubernetes-shaped control loop for your work";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";

  outputs = { self, nixpkgs }:
    let
      systems = [ "x86_64-linux" "aarch64-linux" "x86_64-darwin" "aarch64-darwin" ];
      forAllSystems = f: nixpkgs.lib.genAttrs systems (system: f system nixpkgs.legacyPackages.${system});

      # The one version number lives in looop/__init__.py; read it, never repeat it.
      version = builtins.head
        (builtins.match ".*__version__ = \"([^\"]+)\".*" (builtins.readFile ./looop/__init__.py));

      # Tests that build wheels and zipapps need pip's index, which a Nix build
      # has not; the cron tests run looop with cron's PATH, /usr/bin:/bin,
      # which the build sandbox does not have.
      outsideTheSandbox = [
        "tests/test_packaging.py"
        "tests/test_zipapp.py"
        "tests/test_install_sh.py"
        "tests/test_flake.py"
        "tests/time/test_cron.py"
      ];

      looopFor = pkgs:
        pkgs.python3Packages.buildPythonApplication {
          pname = "looop";
          inherit version;
          pyproject = true;
          src = ./.;

          build-system = [ pkgs.python3Packages.setuptools ];
          dependencies = with pkgs.python3Packages; [ plumbum platformdirs jsonschema ptyprocess apprise croniter bashlex pyte textual ];

          # the data dir is a git repository: the beat commits to it
          makeWrapperArgs = [ "--prefix" "PATH" ":" (pkgs.lib.makeBinPath [ pkgs.git ]) ];

          # the suite runs as `nix flake check` (checks.<system>.tests), not on every build
          doCheck = false;
          nativeCheckInputs = (with pkgs.python3Packages; [ pytestCheckHook hypothesis pytest-timeout ])
            ++ [ pkgs.git pkgs.bash ];
          disabledTestPaths = outsideTheSandbox;
          preCheck = ''
            patchShebangs fixtures tests
            export HOME="$(mktemp -d)"
            export PATH="$out/bin:$PATH"
          '';
          pythonImportsCheck = [ "looop" ];

          meta = {
            description = "A tiny, Kubernetes-shaped control loop for your work";
            homepage = "https://github.com/looop-dev/looop";
            license = pkgs.lib.licenses.mit;
            mainProgram = "looop";
          };
        };
    in
    {
      packages = forAllSystems (system: pkgs: rec {
        looop = looopFor pkgs;
        default = looop;
      });

      apps = forAllSystems (system: pkgs: {
        default = {
          type = "app";
          program = "${self.packages.${system}.default}/bin/looop";
        };
      });

      devShells = forAllSystems (system: pkgs: {
        default = pkgs.mkShell {
          packages = [
            (pkgs.python3.withPackages (ps: with ps; [
              plumbum platformdirs jsonschema ptyprocess apprise croniter bashlex pyte textual
              pytest hypothesis pytest-timeout shiv setuptools build
            ]))
            pkgs.git
            pkgs.shellcheck
          ];
        };
      });

      checks = forAllSystems (system: pkgs: {
        tests = self.packages.${system}.default.overridePythonAttrs (_: { doCheck = true; });
      });
    };
}
