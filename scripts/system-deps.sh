#!/usr/bin/env bash
# Installs the Debian packages microcourt needs, and nothing when they are already there.
#   scripts/system-deps.sh run    what serving needs (CJK font and pango for PDFs, libmagic for
#                                  upload sniffing, gettext, npm; Janus with janus-pp-rec and
#                                  ffmpeg for hearings; iproute2 for the local media interface)
#   scripts/system-deps.sh test   plus Chromium for the end-to-end tests, espeak-ng and sox to
#                                  synthesise the speech tests' audio
set -euo pipefail
mode=${1:-run}
packages=(fonts-wqy-microhei gettext libmagic1 libpango-1.0-0 libpangoft2-1.0-0 janus janus-tools ffmpeg iproute2)
if [ "$mode" = test ]; then
  packages+=(chromium espeak-ng sox)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
command -v npm >/dev/null 2>&1 || missing+=(npm)
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "microcourt: installing Debian packages: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
