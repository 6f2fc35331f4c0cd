#!/usr/bin/env bash
# Installs LibreOffice 25.2 (Calc) from the distribution's backports suite, plus poppler-utils.
# Debian 12's own LibreOffice 7.4 lacks the newer Excel functions (see shared/design/EXCEL_FACTS.md).
# The backports URIs are copied from the machine's own debian.sources: no host is written here.
set -euo pipefail
if command -v soffice >/dev/null 2>&1 && soffice --version 2>/dev/null | grep -q 'LibreOffice 2[5-9]'; then
  command -v pdftotext >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi carlito && exit 0
fi
export DEBIAN_FRONTEND=noninteractive
src=/etc/apt/sources.list.d/debian.sources
bp=/etc/apt/sources.list.d/evr-backports.sources
if [ ! -f "$bp" ] && [ -f "$src" ]; then
  uris=$(grep -m1 '^URIs:' "$src")
  keyring=$(grep -m1 '^Signed-By:' "$src" || true)
  printf 'Types: deb\n%s\nSuites: bookworm-backports\nComponents: main\n%s\n' "$uris" "$keyring" > "$bp"
fi
apt-get update -qq
apt-get install -y -qq -t bookworm-backports --no-install-recommends \
  libreoffice-calc libreoffice-core fonts-liberation2 >/dev/null 2>&1 \
  || apt-get install -y -qq -t bookworm-backports libreoffice-calc >/dev/null
apt-get install -y -qq --no-install-recommends poppler-utils fonts-dejavu-core fonts-crosextra-carlito >/dev/null
soffice --version
