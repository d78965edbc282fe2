#!/usr/bin/env bash
# Prints every published accuracy figure (see models/README.md).
#   scripts/eval.sh [SHARED_CORPORA] [MODEL]
# 1. the shipped model on the held-out election sets (fixtures/holdout, fixtures/holdout-blind),
# 2. the shipped model on the 30 % test halves of each public corpus (never trained on),
# 3. a model trained on the SpamAssassin 70 % half only, on the SpamAssassin 30 % half: the figure
#    comparable with SpamAssassin's and rspamd's own Bayes (../shared/anchors/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${1:-../shared/corpora}
MODEL=${2:-}
export BALLOTWATCH_TRUSTED_AUTHSERV_IDS=${BALLOTWATCH_TRUSTED_AUTHSERV_IDS:-mx.gateway.example}
M=(); [ -n "$MODEL" ] && M=(--model "$MODEL")
echo "## Held-out election mail (never trained on)"
node bin/ballotwatch.js eval "${M[@]}" --corpus fixtures/holdout $( [ -d fixtures/holdout-blind ] && echo --corpus fixtures/holdout-blind )
if [ ! -d "$SHARED" ]; then echo "no $SHARED: public-corpus figures skipped"; exit 0; fi
[ -d .corpus/test-by-source ] || node bin/ballotwatch.js corpus --shared "$SHARED" --out .corpus > /dev/null
echo "## Public corpora, 30 % test halves (the shipped model trained on the 70 % halves)"
args=(); for d in .corpus/test-by-source/*; do args+=(--corpus "$d"); done
node bin/ballotwatch.js eval "${M[@]}" "${args[@]}"
echo "## SpamAssassin corpus: trained on the 70 % half only, tested on the 30 % half"
node bin/ballotwatch.js train --corpus .corpus/train-by-source/spamassassin --out .corpus/sa-only.json.gz --version sa-only 2>/dev/null | grep -E '"(seconds|vocabulary|savedTokens)"'
node bin/ballotwatch.js eval --model .corpus/sa-only.json.gz --corpus .corpus/test-by-source/spamassassin
