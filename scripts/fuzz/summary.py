"""Per check of a schemathesis run: how many test cases it judged and how many it failed
(schemathesis' own summary counts cases and failures, not checks). Fails when fewer than
MIN_CASES ran.

Usage: python3 scripts/fuzz/summary.py REPORT_DIR MIN_CASES ELAPSED_SECONDS
"""
import collections, glob, json, os, sys

files = sorted(glob.glob(os.path.join(sys.argv[1], "ndjson-*.ndjson")))
if not files:
    sys.exit("scripts/fuzz.sh: schemathesis wrote no report")
checks = collections.defaultdict(collections.Counter)
cases = collections.Counter()
for line in open(files[-1], encoding="utf-8"):
    event = json.loads(line)
    finished = event.get("ScenarioFinished")
    if not finished:
        continue
    recorder = finished.get("recorder") or {}
    cases[finished.get("phase")] += len(recorder.get("cases") or {})
    for results in (recorder.get("checks") or {}).values():
        for result in results:
            checks[result["name"]][result["status"]] += 1
print("\ntest cases per phase: " + ", ".join(f"{p} {n}" for p, n in cases.items()) + f"; total {sum(cases.values())}")
print(f"{'check':<30} {'cases':>7} {'passed':>7} {'failed':>7}")
for name in sorted(checks):
    c = checks[name]
    total = sum(c.values())
    failed = total - c["success"] - c["skip"]
    print(f"{name:<30} {total:>7} {c['success']:>7} {failed:>7}")
total, minimum, elapsed = sum(cases.values()), int(sys.argv[2]), int(sys.argv[3])
print(f"{total} test cases in {elapsed} s")
if total < minimum:
    sys.exit(f"scripts/fuzz.sh: only {total} test cases ran (FUZZ_MIN_CASES={minimum})")
