#!/usr/bin/env bash
# End-to-end tests of `parity show` and `parity compare`: exit codes of every gate, the
# several --format/--output pairs, and the JSON and JUnit files checked by Python's parsers
# (JUnit against the structure GitLab, Jenkins and GitHub's reporters read).
# Usage: compare_cli_test.sh PARITY SCALE_REPORT
set -u
parity=$1
scale=$2
py=/usr/bin/python3
source "$(dirname "$0")/cli_lib.sh"

# junit FILE [FAILURES]: the JUnit structure reporters need, counts that match the cases,
# and (when given) the number of failures.
junit() {
  "$py" - "$@" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites", root.tag
tot = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
for s in root:
    assert s.tag == "testsuite" and s.get("name"), s.tag
    n = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for c in s:
        assert c.tag == "testcase", c.tag
        assert c.get("name") and c.get("classname"), c.attrib
        assert float(c.get("time", "0")) >= 0
        n["tests"] += 1
        kids = list(c)
        assert len(kids) <= 1
        for k in kids:
            assert k.tag in ("failure", "error", "skipped"), k.tag
            if k.tag != "skipped":
                assert k.get("message"), "failure without message"
            n[{"failure": "failures", "error": "errors", "skipped": "skipped"}[k.tag]] += 1
    for key in n:
        assert int(s.get(key)) == n[key], (s.get("name"), key, s.get(key), n[key])
        tot[key] += n[key]
for key in tot:
    assert int(root.get(key)) == tot[key], (key, root.get(key), tot[key])
if len(sys.argv) > 2:
    assert tot["failures"] == int(sys.argv[2]), (tot["failures"], sys.argv[2])
PY
}
# compare_json FILE EXIT: every case present, counts that add up, the exit code recorded.
compare_json() {
  "$py" - "$@" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["format"] == "parity-compare", d.get("format")
assert d["exit_code"] == int(sys.argv[2]), d["exit_code"]
assert sum(d["counts"].values()) == len(d["cases"]), (d["counts"], len(d["cases"]))
assert d["failing"] == sum(1 for c in d["cases"] if c["fails"])
for c in d["cases"]:
    assert c["kind"] in ("check", "bench") and c["key"] and c["verdict"] in d["counts"]
PY
}

expect 0 "$parity" bench --quick --devices array,cpu --ops add,neg --sizes 4096 --repetitions 5 --no-conversions \
  -o "$tmp/base.h5"
expect 0 "$parity" bench --quick --devices array,cpu --ops add --sizes 4096 --repetitions 5 --no-conversions \
  -o "$tmp/sub.h5"
expect 0 "$scale" "$tmp/base.h5" "$tmp/slow.h5" 1000
expect 0 "$scale" "$tmp/base.h5" "$tmp/zero.h5" 0
expect 0 "$parity" check --ops neg,add --devices cpu -o "$tmp/check.h5"

# Several outputs in one command, text on stdout as well.
expect 0 "$parity" compare "$tmp/base.h5" "$tmp/base.h5" --format json --output "$tmp/c.json" \
  --format junit --output "$tmp/c.xml" --format markdown --output "$tmp/c.md"
ok "text on stdout" grep -q '^Parity comparison: no regression (exit 0)' "$tmp/out"
ok "json of an A/A comparison" compare_json "$tmp/c.json" 0
ok "junit of an A/A comparison" junit "$tmp/c.xml" 0
ok "markdown written" grep -q '^## Parity comparison' "$tmp/c.md"
ok "no temporary output left" test -z "$(find "$tmp" -name '*.tmp-*')"

# A thousand times slower (beyond any within-run spread on a loaded machine): every case slower,
# exit 1, one JUnit failure per case.
expect 1 "$parity" compare "$tmp/base.h5" "$tmp/slow.h5" --format json --output "$tmp/s.json" \
  --format junit --output "$tmp/s.xml"
ok "json of a regression" compare_json "$tmp/s.json" 1
ok "junit failures, one per failing case" junit "$tmp/s.xml" \
  "$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["failing"])' "$tmp/s.json")"
expect 1 "$parity" compare "$tmp/base.h5" "$tmp/slow.h5" --format json
ok "json alone on stdout" "$py" -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/out"
# Several baselines (history), given as positionals and with --baseline.
expect 0 "$parity" compare "$tmp/base.h5" "$tmp/base.h5" --baseline "$tmp/base.h5" "$tmp/base.h5"
ok "history is said" grep -q '3 baseline reports' "$tmp/out"

# Coverage: removed cases fail unless allowed.
expect 1 "$parity" compare "$tmp/base.h5" "$tmp/sub.h5"
ok "removed cases are named" grep -q 'removed' "$tmp/out"
expect 0 "$parity" compare --allow-removed "$tmp/base.h5" "$tmp/sub.h5"

# Bad input: zeroed samples, check against bench, bad options, outputs over inputs.
expect 2 "$parity" compare "$tmp/base.h5" "$tmp/zero.h5" --format junit --output "$tmp/z.xml"
ok "zeroed samples are JUnit errors" junit "$tmp/z.xml"
ok "zeroed samples say why" grep -q '0 s: not times' "$tmp/out"
expect 2 "$parity" compare "$tmp/check.h5" "$tmp/base.h5"
ok "check vs bench: one-line error" one_line_error
expect 2 "$parity" compare "$tmp/base.h5" "$tmp/base.h5" --format html
ok "bad format: one-line error" one_line_error
expect 2 "$parity" compare "$tmp/base.h5" "$tmp/base.h5" --format json --format junit
ok "two formats on stdout: one-line error" one_line_error
expect 2 "$parity" compare "$tmp/base.h5" "$tmp/slow.h5" --format json --output "$tmp/base.h5"
ok "output over an input: one-line error" one_line_error
ok "the input is untouched" "$parity" show "$tmp/base.h5"
expect 2 "$parity" compare "$tmp/base.h5"
expect 2 "$parity" compare "$tmp/base.h5" "$tmp/base.h5" --match op,colour
ok "bad match field: one-line error" one_line_error
expect 2 "$parity" compare "$tmp/base.h5" "$tmp/base.h5" --match op
ok "ambiguous match: one-line error" one_line_error

# Policy: a gate switched off per op, environment that must match (exit 3), errors with the line.
printf '[op=add]\ngate = false\n' >"$tmp/p1"
expect 1 "$parity" compare --policy "$tmp/p1" "$tmp/base.h5" "$tmp/slow.h5" --format json --output "$tmp/p.json"
ok "only neg fails under the policy" "$py" -c '
import json, sys
d = json.load(open(sys.argv[1]))
bad = [c["key"] for c in d["cases"] if c["fails"]]
assert bad and all(k.startswith("neg|") for k in bad), bad' "$tmp/p.json"
printf 'env_must_match = command_line\n' >"$tmp/p2"
expect 3 "$parity" compare --policy "$tmp/p2" "$tmp/base.h5" "$tmp/sub.h5" --allow-removed
printf 'threshold = 0.1\nnonsense\n' >"$tmp/p3"
expect 2 "$parity" compare --policy "$tmp/p3" "$tmp/base.h5" "$tmp/base.h5"
ok "bad policy: one-line error naming the line" grep -q 'p3:2' "$tmp/err"

# Across devices from one report: the array engine against the tensor engine on cpu.
"$parity" compare "$tmp/base.h5" "$tmp/base.h5" --match op,dtype,shape --base-filter device=array \
  --new-filter device=cpu --format json --output "$tmp/x.json" >/dev/null 2>"$tmp/err"
ok "cross-device comparison ran" test $? -le 1
ok "cross-device: two matched cases" "$py" -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d["cases"]) == 2 and all(c["verdict"] not in ("added", "removed") for c in d["cases"]), d["cases"]' "$tmp/x.json"

# show in every format.
expect 0 "$parity" show "$tmp/check.h5" --format junit --output "$tmp/show.xml" --format json --output "$tmp/show.json"
ok "show junit" junit "$tmp/show.xml"
ok "show json lists every check" "$py" -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["format"] == "parity-show" and len(d["checks"]) == sum(d["check_counts"].values()) > 0' "$tmp/show.json"
expect 0 "$parity" show "$tmp/check.h5" --format markdown --max-rows 3
ok "show markdown under 60000 characters" test "$(wc -c <"$tmp/out")" -lt 60000
expect 0 "$parity" show "$tmp/base.h5" --max-rows 2
ok "show caps bench rows" grep -q '2 more not shown' "$tmp/out"

finish
