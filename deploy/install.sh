#!/usr/bin/env bash
# Installs Frugal from this extracted release, as root:
#   ./install.sh               install or upgrade (idempotent): /opt/frugal, /usr/local/bin/frugal, user 'frugal',
#                              /var/lib/frugal (0700), /etc/frugal/appsettings.json (kept on upgrade), frugal.service;
#                              on a CPU with AVX2 the server loads Frugal's CPU backend shipped in native/frugal-avx2/
#                              (faster Q8_0 and K-quant decoding); only where it cannot (a release without it) and the
#                              CPU has VNNI, 'frugal native pull' (the prebuilt llama.cpp CPU backend for it)
#   ./install.sh --no-native   the same without that download
#   ./install.sh --native-build   compiles Frugal's CPU backend for this very CPU ('frugal native build': the shipped
#                              kernels plus what -march=native adds, e.g. VNNI prompt code; needs npm, git, cmake, g++
#                              and python3, and a minute or two)
#   ./install.sh --uninstall   removes the program and the service, keeps the data and the settings
#   ./install.sh --uninstall --purge   also removes /var/lib/frugal, /etc/frugal and the user
# An upgrade stops the service, backs the database up (before the new version migrates it), swaps the program
# and starts the service again. FRUGAL_ROOT=DIR installs under DIR instead of / (for trying it out; no user, no systemd).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dest="${FRUGAL_ROOT:-}"
prefix="$dest/opt/frugal" bin="$dest/usr/local/bin/frugal" data="$dest/var/lib/frugal" etc="$dest/etc/frugal"
unit="$dest/etc/systemd/system/frugal.service"
uninstall=0 purge=0 native=1
for arg in "$@"; do
  case "$arg" in
    --uninstall) uninstall=1 ;;
    --purge) purge=1 ;;
    --no-native) native=0 ;;
    --native-build) native=2 ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install.sh: unknown option $arg (see --help)" >&2; exit 2 ;;
  esac
done
if (( purge && !uninstall )); then echo "install.sh: --purge goes with --uninstall" >&2; exit 2; fi
if [[ -z "$dest" && "$(id -u)" != 0 ]]; then echo "install.sh: run it as root (sudo ./install.sh)" >&2; exit 1; fi
systemd=0
[[ -z "$dest" && -d /run/systemd/system ]] && command -v systemctl >/dev/null && systemd=1
say() { echo "install.sh: $*"; }

if (( uninstall )); then
  if (( systemd )); then systemctl disable --now frugal.service 2>/dev/null || true; fi
  rm -f "$unit" "$bin"
  rm -rf "$prefix"
  if (( systemd )); then systemctl daemon-reload; fi
  if (( purge )); then
    rm -rf "$data" "$etc"
    if [[ -z "$dest" ]] && id frugal >/dev/null 2>&1; then userdel frugal; fi
    say "removed Frugal, its data and its settings"
  else
    say "removed Frugal; kept $data and $etc (--purge removes them)"
  fi
  exit 0
fi

[[ "$(uname -m)" == x86_64 ]] || { echo "install.sh: this release is for x86_64 Linux" >&2; exit 1; }
[[ -x "$here/frugal" ]] || { echo "install.sh: run it from the extracted release (no ./frugal beside it)" >&2; exit 1; }
if [[ -z "$dest" ]] && ! id frugal >/dev/null 2>&1; then
  useradd --system --home-dir /var/lib/frugal --no-create-home --shell /usr/sbin/nologin frugal
  say "created the system user frugal"
fi
owner() { if [[ -z "$dest" ]]; then chown "$@"; fi; }
mkdir -p "$data" "$etc" "$(dirname "$bin")" "$(dirname "$unit")"
chmod 0700 "$data"
owner frugal:frugal "$data"

was_active=0
if (( systemd )) && systemctl is-active --quiet frugal.service; then
  was_active=1
  systemctl stop frugal.service
fi
if [[ -f "$data/frugal.db" ]]; then
  # Before the new version opens (and migrates) the database: a consistent copy, taken by the new binary, which
  # reads any older schema without changing it.
  backup="$data/backups/frugal-$(date -u +%Y%m%d-%H%M%S)-before-$(basename "$here").db"
  mkdir -p -m 0700 "$data/backups"
  chmod 0700 "$data/backups"
  owner frugal:frugal "$data/backups"
  "$here/frugal" backup --data "$data" -o "$backup"
  owner frugal:frugal "$backup" "$data"/frugal.db*
fi

# The new program beside the old one, then swapped in with two renames.
rm -rf "$prefix.new" "$prefix.old"
mkdir -p "$prefix.new"
cp -a "$here/." "$prefix.new/"
if [[ -d "$prefix" ]]; then mv "$prefix" "$prefix.old"; fi
mv "$prefix.new" "$prefix"
rm -rf "$prefix.old"

# The command on the PATH works on the service's data, as the service's user (so files it creates stay readable to it).
cat > "$bin.new" <<WRAPPER
#!/bin/sh
# Installed by Frugal's install.sh: the CLI on the service's data directory, as its user when run by root.
export FRUGAL_DATA="\${FRUGAL_DATA:-/var/lib/frugal}"
if [ "\$(id -u)" = 0 ] && id frugal >/dev/null 2>&1; then
  exec runuser -u frugal -- $prefix/frugal "\$@"
fi
exec $prefix/frugal "\$@"
WRAPPER
chmod 755 "$bin.new"
mv "$bin.new" "$bin"

# The CPU backend the server loads (Model:NativeLibrary=auto), as the program itself resolves it (its --version line):
# one installed in $data/native for this CPU, else Frugal's shipped avx2 build where the CPU has AVX2, FMA, F16C and
# BMI2, else LLamaSharp's packaged pick. --native-build compiles Frugal's backend for this very CPU. 'native pull' is
# kept only where the shipped build cannot serve and the CPU has VNNI: its prebuilt backends add VNNI prompt code
# (prompts 1.13-1.35x on an EPYC) but decode as llama.cpp does, while the shipped kernels decode Q8_0 and K-quants
# 1.3-1.5x faster than that; a 1-CPU chat server spends most of its time decoding. On a CPU without AVX2 neither
# helps (the package has nothing above the packaged builds there). Not fatal: without it the packaged build serves.
backend() { FRUGAL_DATA="$data" "$prefix/frugal" --version 2>/dev/null | sed -n 's/.*; CPU backend //p'; }
if (( native == 2 )); then
  if "$here/frugal" native build --data "$data" >"$data/.native-build.log" 2>&1; then
    owner -R frugal:frugal "$data/native"
    say "built Frugal's CPU backend for this CPU, which the server loads"
  else
    say "Frugal's CPU backend was not built ($(tail -1 "$data/.native-build.log")): $(backend) serves; 'frugal native build' tries again"
  fi
  rm -f "$data/.native-build.log"
elif (( native )); then
  loaded="$(backend)"
  if [[ $loaded == */native/frugal-avx2/libggml-cpu.so ]]; then
    say "the server loads Frugal's CPU backend shipped with this release ($loaded)"
  elif [[ $loaded == "$(realpath -m "$data")/native/"* ]]; then
    variant="$(sed -n 's/^variant //p' "$data/native/installed")"
    say "the server loads the CPU backend installed in $data/native ($variant)$([[ $variant == frugal ]] || echo ", a prebuilt llama.cpp one: --native-build compiles Frugal's, with its faster decoding, for this CPU instead")"
  elif grep -qwE 'avx512_vnni|avx_vnni' /proc/cpuinfo; then
    if "$here/frugal" native pull --data "$data" >/dev/null 2>"$data/.native-pull.err"; then
      owner -R frugal:frugal "$data/native"
      say "installed the llama.cpp CPU backend built for this CPU ($(sed -n 's/^variant //p' "$data/native/installed")), which the server loads"
    else
      say "no CPU backend for this CPU installed ($(tail -1 "$data/.native-pull.err")): LLamaSharp's packaged build serves; 'frugal native pull' tries again"
    fi
    rm -f "$data/.native-pull.err"
  else
    if [[ -d "$prefix/native/frugal-avx2" ]]; then why="Frugal's shipped CPU backend needs AVX2, FMA, F16C and BMI2"
    else why="this release ships no Frugal CPU backend (made with FRUGAL_RELEASE_BACKEND=none); --native-build compiles one"; fi
    say "the server loads LLamaSharp's packaged build (${loaded:-unknown}): $why"
  fi
fi

if [[ -f "$etc/appsettings.json" ]]; then
  say "kept $etc/appsettings.json"
else
  install -m 0644 "$here/appsettings.json" "$etc/appsettings.json"
  say "wrote $etc/appsettings.json"
fi
install -m 0644 "$here/frugal.service" "$unit"

if (( systemd )); then
  systemctl daemon-reload
  systemctl enable frugal.service >/dev/null
  if (( was_active )) || ls "$data"/models/*.gguf >/dev/null 2>&1; then
    systemctl start frugal.service
    say "frugal.service is running ($("$prefix/frugal" --version | head -1))"
  else
    say "installed and enabled frugal.service; next: frugal model pull tinyllama && systemctl start frugal"
  fi
else
  say "installed under ${dest:-/} (systemd is not running here: start it with '$bin serve', which runs as the user frugal on $data)"
fi
