#!/usr/bin/env bash
# Regenerates the embedded HSTS preload list from Chromium's list in TSV form:
#   data/hsts_preload.fst        the fst that src/hsts/preload.rs embeds (examples/gen_preload.rs builds it)
#   data/HSTS_PRELOAD_LICENSE    attribution and licences, copied from the TSV's header comment
# Usage: scripts/gen-preload.sh [INPUT.tsv]   (default: ../shared/data/hsts_preload.tsv)
# Then run `cargo test --lib hsts`: it checks every TSV entry against the new fst.
set -euo pipefail
cd "$(dirname "$0")/.."

input="${1:-../shared/data/hsts_preload.tsv}"
[[ -r "$input" ]] || { echo "gen-preload: cannot read $input" >&2; exit 1; }

# The library embeds the fst with include_bytes!, and cargo builds the library before any
# example, so the file must exist (even empty) for the generator itself to compile.
[[ -e data/hsts_preload.fst ]] || : > data/hsts_preload.fst

# Write to a temporary file first: a failed run must not leave a truncated fst to be embedded.
cargo run --quiet --example gen_preload -- "$input" data/hsts_preload.fst.tmp
mv data/hsts_preload.fst.tmp data/hsts_preload.fst

{
    echo "data/hsts_preload.fst is generated from the Chromium HSTS preload list by"
    echo "scripts/gen-preload.sh. The attribution and licences of that list, as recorded in the"
    echo "header of the TSV it was built from ($(basename "$input")), follow."
    echo
    sed -n '/^#/!q; s/^# \{0,1\}//; p' "$input"
} > data/HSTS_PRELOAD_LICENSE
echo "wrote data/HSTS_PRELOAD_LICENSE"
