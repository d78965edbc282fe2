#!/usr/bin/env bash
# Builds the shipped model from ../shared/corpora (train halves only) plus fixtures/election.
#   scripts/build-model.sh [SHARED_CORPORA] [VERSION]
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${1:-../shared/corpora}
VERSION=${2:-$(date -u +%Y.%m.%d)-1}
node bin/ballotwatch.js corpus --shared "$SHARED" --out .corpus > /dev/null
# The fixtures are stamped by the example gateway mx.gateway.example; trusting it lets the combiner
# learn what a failed DMARC from a trusted gateway is worth. Deployments set their own ids.
BALLOTWATCH_TRUSTED_AUTHSERV_IDS=${BALLOTWATCH_TRUSTED_AUTHSERV_IDS:-mx.gateway.example} node bin/ballotwatch.js train --corpus .corpus/train --corpus fixtures/election \
  --redact phishing@pot --version "$VERSION" --out "models/ballotwatch-$VERSION.json.gz"
