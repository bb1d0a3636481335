#!/usr/bin/env bash
# qemu/debian-pkg.sh NAME...: fetch Debian arm64 packages and unpack them, for the
# "real Linux user land" tests and `make run USERLAND=busybox`.
#
# The host's dpkg is never touched: apt runs on a private state under the cache directory
# (Architecture arm64, the host's own package sources copied in), `apt-get download`
# fetches each .deb, and `dpkg-deb -x` unpacks it into CACHE/root/NAME/. The versions got
# are recorded in CACHE/versions.txt and printed ("NAME VERSION", one a line).
#
#   DEBIAN_PKG_CACHE   the cache directory (default build/debian)
#   DEBIAN_PKG_OFFLINE=1   use what is cached; never run apt-get
# Exit status: 0 when every NAME is unpacked; 1 with the reason on stderr otherwise.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cache=${DEBIAN_PKG_CACHE:-$root/build/debian}
[ $# -gt 0 ] || { echo "usage: $0 NAME..." >&2; exit 2; }
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
versions=$cache/versions.txt
touch "$versions"

need=()
for name in "$@"; do
    [ -f "$cache/root/$name/.unpacked" ] || need+=("$name")
done

if [ ${#need[@]} -gt 0 ]; then
    if [ "${DEBIAN_PKG_OFFLINE:-0}" = 1 ]; then
        echo "debian-pkg: not cached and DEBIAN_PKG_OFFLINE=1: ${need[*]}" >&2
        exit 1
    fi
    for tool in apt-get dpkg-deb; do
        command -v "$tool" >/dev/null 2>&1 || { echo "debian-pkg: $tool is missing (not a Debian host)" >&2; exit 1; }
    done
    state=$cache/apt
    mkdir -p "$state/lists/partial" "$state/archives/partial" "$state/etc/sources.list.d" \
             "$state/etc/preferences.d" "$state/etc/apt.conf.d" "$cache/debs"
    # The host's sources (one-line and deb822 files), so the same mirror and keys are used.
    [ -f /etc/apt/sources.list ] && cp /etc/apt/sources.list "$state/etc/sources.list"
    [ -f "$state/etc/sources.list" ] || : >"$state/etc/sources.list"
    for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] && cp "$f" "$state/etc/sources.list.d/"
    done
    : >"$state/status"
    apt_opts=(-o APT::Architecture=arm64 -o "APT::Architectures::=arm64"
              -o "Dir::State=$state" -o "Dir::State::Lists=$state/lists"
              -o "Dir::State::status=$state/status" -o "Dir::Cache=$state"
              -o "Dir::Cache::archives=$state/archives"
              -o "Dir::Etc::SourceList=$state/etc/sources.list"
              -o "Dir::Etc::SourceParts=$state/etc/sources.list.d"
              -o "Dir::Etc::Preferences=$state/etc/preferences"
              -o "Dir::Etc::PreferencesParts=$state/etc/preferences.d"
              -o "Dir::Etc::Parts=$state/etc/apt.conf.d"
              -o Debug::NoLocking=1 -o APT::Sandbox::User=root)
    # A list older than a day is fetched again; otherwise the cached lists are used.
    if [ -z "$(find "$state/lists" -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null | head -1)" ]; then
        if ! apt-get "${apt_opts[@]}" -qq update >"$state/update.log" 2>&1; then
            echo "debian-pkg: apt-get update failed (no network or no Debian sources?):" >&2
            tail -5 "$state/update.log" >&2
            exit 1
        fi
    fi
    for name in "${need[@]}"; do
        if ! (cd "$cache/debs" && apt-get "${apt_opts[@]}" -qq download "$name:arm64") >"$state/download.log" 2>&1; then
            echo "debian-pkg: apt-get download $name:arm64 failed:" >&2
            tail -5 "$state/download.log" >&2
            exit 1
        fi
        deb=$(ls -t "$cache/debs/${name}_"*_arm64.deb | head -1)
        version=$(dpkg-deb -f "$deb" Version)
        rm -rf "$cache/root/$name"
        mkdir -p "$cache/root/$name"
        dpkg-deb -x "$deb" "$cache/root/$name"
        echo "$version" >"$cache/root/$name/.unpacked"
        grep -v "^$name " "$versions" >"$versions.new" || true
        echo "$name $version" >>"$versions.new"
        sort "$versions.new" >"$versions"
        rm -f "$versions.new"
    done
fi
for name in "$@"; do
    echo "$name $(cat "$cache/root/$name/.unpacked")"
done
