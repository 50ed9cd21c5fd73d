#!/usr/bin/env bash
# A short walk through the decision core on the bundled packs.
set -u
cd "$(dirname "$0")/.."
cbc=.venv/bin/casebycase
step() { printf '\n\033[1m== %s\033[0m\n$ %s\n' "$1" "$2"; }

step "The bundled policy packs" "casebycase packs"
$cbc packs
step "Every pack passes its scenario tests" "casebycase test"
$cbc test
step "HSI asks Columbia PD for help on a sex-trafficking sting" "casebycase evaluate demo/requests/hsi-trafficking-sting.json"
$cbc evaluate demo/requests/hsi-trafficking-sting.json
step "ICE sends Boone County a detainer for a DWI charge" "casebycase explain demo/requests/boone-detainer.json"
$cbc explain demo/requests/boone-detainer.json
step "Travis County in 2018: Texas SB 4 overrides the county policy" "casebycase evaluate demo/requests/travis-2018-detainer.json --json"
$cbc evaluate demo/requests/travis-2018-detainer.json --json
step "The same request as if the Boone County policy applied (a what-if)" "casebycase evaluate demo/requests/travis-2018-detainer.json --pack boone-county-so"
$cbc evaluate demo/requests/travis-2018-detainer.json --pack boone-county-so
step "A request carrying national origin is refused (exit 2)" "casebycase evaluate demo/requests/national-origin.json"
$cbc evaluate demo/requests/national-origin.json
echo "exit status: $?"
step "What the offense catalog derives from a charge text" "casebycase classify 'AGG ASSAULT W/DEADLY WEAPON'"
$cbc classify 'AGG ASSAULT W/DEADLY WEAPON'
step "Federal and Missouri layers, as readable text" "casebycase show missouri | head -40"
$cbc show missouri | head -40
