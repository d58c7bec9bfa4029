#!/usr/bin/env bash
# Drift detection for one stack, run by .github/workflows/drift.yml (docs/operations.md, "Drift").
#
#   drift.sh checkout <stack>   check out the commit the stack's last `pulumi up` ran from, so
#                               the comparison is with the code that was deployed, not with
#                               changes on main still waiting for a deploy (or prod's approval)
#   drift.sh preview <stack>    pulumi preview --refresh --expect-no-changes with the policy pack:
#                               reads every resource, compares it with the code, writes the diff
#                               and the policy results to the run summary, and exits as the
#                               preview did (non-zero on drift)
#
# Runs from the repository root with the Pulumi CLI logged in. It never prints configuration or
# secrets: nothing here reads `pulumi config` or passes --show-secrets, and the preview shows
# secret values as [secret].
set -euo pipefail

# GitHub refuses a step summary over 1 MiB.
readonly SUMMARY_LIMIT=1048576
# A link that works from the run's summary page (a relative one would resolve against the run).
if [ -n "${GITHUB_SERVER_URL:-}" ] && [ -n "${GITHUB_REPOSITORY:-}" ]; then
    readonly DOCS="$GITHUB_SERVER_URL/$GITHUB_REPOSITORY/blob/HEAD/docs/operations.md#drift"
else
    readonly DOCS="docs/operations.md#drift"
fi

die() {
    echo "drift.sh: $*" >&2
    exit 2
}

[ $# -eq 2 ] || die "usage: drift.sh checkout|preview <stack>"
mode=$1
stack=$2
[[ $stack =~ ^[a-z][a-z0-9-]*$ ]] || die "\"$stack\" is not a stack name (like dev or prod)"
summary=${GITHUB_STEP_SUMMARY:?drift.sh writes the run summary: GITHUB_STEP_SUMMARY must be set}

# The newest `pulumi up` in the stack's history (not a refresh or destroy), as
# "<git.head> <git.dirty> <result>", each "-" when unknown. Only these fields are read.
last_update() {
    pulumi stack history --stack "$stack" --json --page-size 50 | node -e '
        const history = JSON.parse(require("fs").readFileSync(0, "utf8")) ?? [];
        const updates = history.filter((e) => e.kind === "update");
        updates.sort((a, b) => (b.version ?? 0) - (a.version ?? 0));
        const env = updates[0]?.environment ?? {};
        const word = (v) => (typeof v === "string" && /^[A-Za-z0-9._-]+$/.test(v) ? v : "-");
        console.log([env["git.head"], env["git.dirty"], updates[0]?.result].map(word).join(" "));
    '
}

checkout() {
    local line sha dirty result note
    # A failing `pulumi stack history` (login, network) fails the step here, with its message.
    line=$(last_update)
    read -r sha dirty result <<<"$line"
    if [ "$sha" = "-" ] && [ "$result" = "-" ]; then
        note="main's tip: $stack has no \`pulumi up\` among its last 50 history entries"
    elif ! [[ $sha =~ ^[0-9a-f]{40}$ ]]; then
        note="main's tip: the last \`pulumi up\` of $stack recorded no commit (it ran outside a git checkout)"
    elif ! git merge-base --is-ancestor "$sha" HEAD 2>/dev/null; then
        # Only reviewed code runs here, with this workflow's credentials.
        note="main's tip: the last \`pulumi up\` of $stack ran from ${sha:0:12}, which is not a commit of main"
    else
        git -c advice.detachedHead=false checkout --quiet --detach "$sha"
        note="${sha:0:12}, the commit of the last \`pulumi up\` of $stack (result: $result)"
        if [ "$dirty" = "true" ]; then
            note+="; that update ran from a working tree with uncommitted changes, which this check cannot see"
        fi
    fi
    echo "drift: comparing $stack with $note"
    {
        echo "### Drift check: $stack"
        echo
        echo "Code compared with what runs: $note."
    } >>"$summary"
}

preview() {
    local config="policy/config/$stack.json" out fenced shown token rc verdict
    [ -f "$config" ] || die "$config is missing: every stack has its policy config there"
    out=$(mktemp)
    fenced=$(mktemp)
    shown=$(mktemp)
    # Values read from the cloud are printed below: keep GitHub from taking any line of them
    # for a workflow command.
    token=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
    echo "::stop-commands::$token"
    set +e
    pulumi preview --stack "$stack" --refresh --expect-no-changes --diff \
        --policy-pack policy --policy-pack-config "$config" \
        --non-interactive --color never --suppress-progress 2>&1 | tee "$out"
    rc=${PIPESTATUS[0]}
    set -e
    echo "::$token::"

    if [ "$rc" -eq 0 ]; then
        verdict="No drift: every resource is as the code says."
    elif grep -q "no changes were expected" "$out"; then
        verdict="**Drift**: what runs differs from the code (the diff below). How to reconcile: [docs/operations.md, Drift]($DOCS)."
        echo "::error title=Drift in $stack::What runs differs from the code; the run summary has the diff ($DOCS)."
    else
        verdict="**The preview failed** (exit $rc) before it could compare; its output is below. An AccessDenied names a read the read-only role lacks (docs/ci-iam.md)."
        echo "::error title=Drift check of $stack failed::pulumi preview exited $rc; the run summary has its output."
    fi

    # Three backticks would end the fenced block early; the text comes from the cloud. (The
    # backticks in the sed program are literal, not a command substitution.)
    # shellcheck disable=SC2016
    sed 's/```/`\xe2\x80\x8b``/g' "$out" >"$fenced"
    local total budget
    touch "$summary"
    total=$(wc -c <"$fenced")
    # Room for the frame (verdict, command, fences, note): generous, so the cut never overflows.
    budget=$((SUMMARY_LIMIT - $(wc -c <"$summary") - 4096))
    # Whole lines only, so a multi-byte character is never cut in half.
    LC_ALL=C awk -v max="$budget" '{ n += length($0) + 1; if (n > max) exit; print }' "$fenced" >"$shown"
    {
        echo
        echo "$verdict"
        echo
        echo "\`pulumi preview --stack $stack --refresh --expect-no-changes --diff --policy-pack policy --policy-pack-config $config\`"
        echo
        echo '```text'
        cat "$shown"
        echo '```'
        if [ "$(wc -c <"$shown")" -lt "$total" ]; then
            echo
            echo "Cut to fit the run summary (GitHub takes 1 MiB at most): the first $(wc -c <"$shown") of $total bytes. The job log of this step has all of it."
        fi
    } >>"$summary"
    rm -f "$out" "$fenced" "$shown"
    return "$rc"
}

case $mode in
    checkout) checkout ;;
    preview) preview ;;
    *) die "usage: drift.sh checkout|preview <stack>" ;;
esac
