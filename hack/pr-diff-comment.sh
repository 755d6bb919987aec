#!/usr/bin/env bash
# Posts render-diff's report as the pull request's rendered-diff comment:
# the comment that starts with the hidden marker below is updated in place,
# or, if there is none, created. Other comments are never touched.
#
#   hack/pr-diff-comment.sh OWNER/REPO PR REPORT.md [LOG]
#
# An empty report (render-diff did not get to write one) posts the end of
# LOG instead, so the comment never goes on showing the diff of an older
# head. GitHub comments hold at most 65536 characters: a longer report is
# cut after its last whole line within MAX_BYTES (60000), never inside a
# character. Needs gh, authenticated (GH_TOKEN).
set -euo pipefail

if [ $# -lt 3 ]; then
  echo "usage: $0 OWNER/REPO PR REPORT.md [LOG]" >&2
  exit 2
fi
repo=$1 pr=$2 report=$3 log=${4:-}
max=${MAX_BYTES:-60000}
marker='<!-- rocketmq-gitops rendered diff -->'

body=$(mktemp)
trap 'rm -f "$body"' EXIT
{
  echo "$marker"
  if [ -s "$report" ]; then
    # LC_ALL=C: length() counts bytes; whole lines keep characters whole.
    LC_ALL=C awk -v max="$((max - ${#marker} - 200))" '
      { n += length($0) + 1; if (n > max) { cut = 1; exit } print }
      END { if (cut) print "\n_Cut here: the report is longer than a comment can hold; the job summary has all of it._" }
    ' "$report"
  else
    echo "## Rendered diff"
    echo
    echo "**Render failed** before render-diff wrote a report; the end of its log:"
    echo
    echo '```text'
    if [ -n "$log" ] && [ -s "$log" ]; then tail -n 40 "$log"; fi
    echo '```'
  fi
} > "$body"

ids=$(gh api --paginate "repos/$repo/issues/$pr/comments" \
  --jq ".[] | select(.body | startswith(\"$marker\")) | .id")
id=${ids%%$'\n'*}
if [ -n "$id" ]; then
  gh api --method PATCH "repos/$repo/issues/comments/$id" -F "body=@$body" --silent
else
  gh api --method POST "repos/$repo/issues/$pr/comments" -F "body=@$body" --silent
fi
