#!/usr/bin/env bash
# Install looop, the tiny control loop for your work.
#
#   curl -fsSL https://raw.githubusercontent.com/looop-dev/looop/main/install.sh | bash
#
# Downloads the latest release's single-file executable for this platform
# (looop-<os>-<arch>), verifies it against its .sha256 and installs it as
# $LOOOP_INSTALL_DIR/looop. When no release file fits this machine it falls
# back to pipx, then `pip install --user`, then a venv of its own (PEP 668
# systems), then `nix profile install`.
# A checksum mismatch aborts and installs nothing.
#
# Environment:
#   LOOOP_INSTALL_DIR   where to put looop          (default: ~/.local/bin)
#   LOOOP_VERSION       a release tag, e.g. v0.1.0  (default: the latest release)
#   LOOOP_RELEASE_URL   where the release files are (default: the GitHub release)
#   LOOOP_REPO          GitHub owner/name           (default: looop-dev/looop)
#   LOOOP_PIP_SOURCE    what pipx/pip install       (default: git+https://github.com/$LOOOP_REPO.git)
#   LOOOP_VENV_DIR      the venv fallback's home    (default: ~/.local/share/looop/venv)
set -euo pipefail

MIN_PYTHON_MAJOR=3
MIN_PYTHON_MINOR=11

say() { printf 'looop install: %s\n' "$*" >&2; }
die() { printf 'looop install: error: %s\n' "$*" >&2; exit 1; }

platform_asset() {
  local os arch
  os=$(uname -s | tr '[:upper:]' '[:lower:]')
  arch=$(uname -m | tr '[:upper:]' '[:lower:]')
  case $arch in
    x86_64 | amd64) arch=x86_64 ;;
    aarch64 | arm64) arch=arm64 ;;
  esac
  printf 'looop-%s-%s\n' "$os" "$arch"
}

check_python() {
  local version
  command -v python3 >/dev/null 2>&1 ||
    die "python3 was not found on PATH. looop needs Python ${MIN_PYTHON_MAJOR}.${MIN_PYTHON_MINOR} or newer: install it (e.g. 'sudo apt install python3', 'brew install python') and run this again."
  version=$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null) ||
    die "python3 ($(command -v python3)) does not run; looop needs Python ${MIN_PYTHON_MAJOR}.${MIN_PYTHON_MINOR} or newer."
  local major=${version%%.*} minor=${version#*.}
  if [ "$major" -lt "$MIN_PYTHON_MAJOR" ] ||
     { [ "$major" -eq "$MIN_PYTHON_MAJOR" ] && [ "$minor" -lt "$MIN_PYTHON_MINOR" ]; }; then
    die "looop needs Python ${MIN_PYTHON_MAJOR}.${MIN_PYTHON_MINOR} or newer, but python3 ($(command -v python3)) is ${version}. Install a newer Python and make it the python3 on PATH."
  fi
  PYTHON_VERSION=$version
}

FETCH_ERROR=""
fetch() { # fetch URL FILE: 0 downloaded; 2 the server has no such file (404/410); 1 failed, why in FETCH_ERROR
  local code rc=0
  FETCH_ERROR=""
  if command -v curl >/dev/null 2>&1; then
    code=$(curl -sSL --retry 2 --connect-timeout 15 --max-time 300 -w '%{http_code}' -o "$2" "$1" 2>"$2.err") || rc=$?
    if [ "$rc" -eq 0 ] && [ "${code#2}" != "$code" ]; then return 0; fi
    if [ "$code" = 404 ] || [ "$code" = 410 ]; then return 2; fi
    if [ "$rc" -eq 0 ]; then FETCH_ERROR="the server answered HTTP $code"; else
      FETCH_ERROR=$(sed -n 's/^curl: ([0-9]*) //p' "$2.err" | tail -n1)
      FETCH_ERROR=${FETCH_ERROR:-curl exit $rc}
    fi
    return 1
  elif command -v wget >/dev/null 2>&1; then
    wget -q -S -T 60 -O "$2" "$1" 2>"$2.err" || rc=$?
    if [ "$rc" -eq 0 ]; then return 0; fi
    if grep -Eq 'HTTP/[0-9.]+ (404|410)' "$2.err"; then return 2; fi
    FETCH_ERROR="wget exit $rc: $(grep -E 'HTTP/|failed|unable' "$2.err" | tail -n1 | sed 's/^ *//')"
    return 1
  else
    die "neither curl nor wget is installed; install one of them and run this again."
  fi
}

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  elif command -v shasum >/dev/null 2>&1; then
    shasum -a 256 "$1" | cut -d' ' -f1
  else
    python3 -c 'import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest())' "$1"
  fi
}

# 0: installed; 1: no release file fits this machine (try the fallbacks).
install_release() {
  local asset=$1 base=$2 dir=$3 tmp=$4 expected actual probe
  say "downloading $asset from $base"
  local got=0
  fetch "$base/$asset" "$tmp/$asset" || got=$?
  if [ "$got" -eq 2 ]; then
    say "no release file $asset for this platform"
    return 1
  elif [ "$got" -ne 0 ]; then
    say "could not download $base/$asset: $FETCH_ERROR"
    return 1
  fi
  got=0
  fetch "$base/$asset.sha256" "$tmp/$asset.sha256" || got=$?
  [ "$got" -eq 0 ] || die "the release has $asset but $asset.sha256 could not be fetched (${FETCH_ERROR:-not found}), so it cannot be verified. Nothing was installed."
  expected=$(head -n1 "$tmp/$asset.sha256" | cut -d' ' -f1 | tr '[:upper:]' '[:lower:]')
  actual=$(sha256_of "$tmp/$asset")
  if [ "$expected" != "$actual" ]; then
    die "checksum mismatch for $asset: expected ${expected:-nothing}, got $actual. The download is corrupt or was tampered with. Nothing was installed."
  fi
  mkdir -p "$tmp/probe" && mv "$tmp/$asset" "$tmp/probe/looop" && chmod 755 "$tmp/probe/looop"
  # the file needs this machine's python3: prove it starts before installing. Under
  # its installed name, so the copy it unpacks into ~/.shiv (looop_<build>) is the
  # one the installed looop uses: its first start is not another unpacking.
  if ! probe=$("$tmp/probe/looop" version 2>&1 </dev/null) || [ "${probe#looop }" = "$probe" ]; then
    say "$asset does not run with python3 $PYTHON_VERSION here: ${probe:-no output}"
    return 1
  fi
  mkdir -p "$dir" || die "cannot create $dir (set LOOOP_INSTALL_DIR to a directory you can write)"
  cp "$tmp/probe/looop" "$dir/.looop.new.$$" || die "cannot write to $dir (set LOOOP_INSTALL_DIR to a directory you can write)"
  mv -f "$dir/.looop.new.$$" "$dir/looop" || die "cannot replace $dir/looop"
  say "installed $probe to $dir/looop (sha256 $actual)"
  case ":$PATH:" in
    *":$dir:"*) ;;
    *) say "note: $dir is not on your PATH. Add it, e.g. in ~/.bashrc or ~/.zshrc:"
       # shellcheck disable=SC2016 # $PATH is meant literally, for the user's rc file
       printf '\n    export PATH="%s:$PATH"\n\n' "$dir" >&2 ;;
  esac
  return 0
}

install_fallback() {
  local repo=$1 source=$2 dir=$3
  if command -v pipx >/dev/null 2>&1; then
    say "installing with pipx: pipx install $source (its command into $dir)"
    if PIPX_BIN_DIR="$dir" pipx install --force "$source" </dev/null; then return 0; fi
    say "pipx install failed"
  fi
  if python3 -m pip --version >/dev/null 2>&1; then
    say "installing with pip: python3 -m pip install --user $source"
    if python3 -m pip install --user "$source" </dev/null 2>"$WORK_DIR/pip.err"; then
      say "pip put looop in $(python3 -m site --user-base)/bin; make sure that is on your PATH"
      return 0
    fi
    if grep -q externally-managed-environment "$WORK_DIR/pip.err"; then
      say "pip install --user failed: this Python is managed by the system (PEP 668)"
    else
      say "pip install --user failed: $(tail -n1 "$WORK_DIR/pip.err")"
    fi
  fi
  # PEP 668 systems refuse pip --user: a venv of looop's own works everywhere python3 -m venv does
  local venv=${LOOOP_VENV_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/looop/venv}
  if python3 -m venv "$venv" >/dev/null 2>&1 && [ -x "$venv/bin/python3" ]; then
    say "installing into a venv of its own: $venv"
    if "$venv/bin/python3" -m pip install --upgrade "$source" </dev/null >"$WORK_DIR/venv.log" 2>&1; then
      mkdir -p "$dir" && ln -sf "$venv/bin/looop" "$dir/looop" ||
        die "cannot link $dir/looop (set LOOOP_INSTALL_DIR to a directory you can write)"
      say "installed $("$dir/looop" version 2>/dev/null) as $dir/looop (-> $venv/bin/looop)"
      return 0
    fi
    say "pip install in the venv failed: $(tail -n1 "$WORK_DIR/venv.log")"
  fi
  if command -v nix >/dev/null 2>&1; then
    say "installing with nix: nix profile install github:$repo"
    if nix --extra-experimental-features 'nix-command flakes' profile install "github:$repo" </dev/null; then return 0; fi
    say "nix profile install failed"
  fi
  die "could not install looop: no release file could be used, and pipx, pip, a venv and nix are missing or failed. Install pipx with your system's package manager (e.g. 'sudo apt install pipx', 'brew install pipx') and run: pipx install $source"
}

main() {
  local repo=${LOOOP_REPO:-looop-dev/looop}
  local dir=${LOOOP_INSTALL_DIR:-$HOME/.local/bin}
  local base=${LOOOP_RELEASE_URL:-}
  local source=${LOOOP_PIP_SOURCE:-git+https://github.com/$repo.git}
  if [ -z "$base" ]; then
    if [ -n "${LOOOP_VERSION:-}" ]; then
      base="https://github.com/$repo/releases/download/$LOOOP_VERSION"
    else
      base="https://github.com/$repo/releases/latest/download"
    fi
  fi
  if [ -n "${LOOOP_VERSION:-}" ] && [ -z "${LOOOP_PIP_SOURCE:-}" ]; then
    source="$source@$LOOOP_VERSION"
  fi
  check_python
  local asset
  asset=$(platform_asset)
  WORK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/looop-install.XXXXXX")
  trap 'rm -rf "$WORK_DIR"' EXIT
  if ! install_release "$asset" "${base%/}" "$dir" "$WORK_DIR"; then
    install_fallback "$repo" "$source" "$dir"
  fi
  say "done. Try: looop demo   (and: looop help)"
}

# everything runs from here, so a download cut short never runs half a script
main "$@"
