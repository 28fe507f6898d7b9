#!/usr/bin/env python3
"""Print what a test run's TRX file says, for the end of a CI log: the failed tests with their messages, and the
fixtures that took longest (first start to last end of their tests). Usage: trx-summary.py FILE.trx [--failed-only]"""
import sys
import xml.etree.ElementTree as ET
from datetime import datetime

NS = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}


def when(text):
    # 2026-12-01T10:50:01.1234567+00:00 -> datetime (Python's fromisoformat takes at most 6 fraction digits)
    head, _, rest = text.partition(".")
    frac, zone = rest[:7], rest[7:]
    return datetime.fromisoformat(f"{head}.{frac[:6]}{zone}")


def clip(text, lines):
    parts = (text or "").strip().splitlines()
    return "\n".join(parts[:lines] + ([f"    … {len(parts) - lines} more lines"] if len(parts) > lines else []))


def main():
    root = ET.parse(sys.argv[1]).getroot()
    classes = {d.get("id"): d.find("t:TestMethod", NS).get("className").rsplit(".", 1)[-1]
               for d in root.iterfind("t:TestDefinitions/t:UnitTest", NS)}
    results = list(root.iterfind("t:Results/t:UnitTestResult", NS))
    failed = [r for r in results if r.get("outcome") == "Failed"]
    counts = root.find("t:ResultSummary/t:Counters", NS)
    print(f"\n===== test summary ({sys.argv[1]}) =====")
    if counts is not None:
        print("total {total}, passed {passed}, failed {failed}, not run {notExecuted}".format(**counts.attrib))
    if "--failed-only" not in sys.argv:
        spans = {}
        for r in results:
            if r.get("startTime") and r.get("endTime"):
                c = classes.get(r.get("testId"), "?")
                s, e = when(r.get("startTime")), when(r.get("endTime"))
                lo, hi = spans.get(c, (s, e))
                spans[c] = (min(lo, s), max(hi, e))
        print("slowest fixtures (first start to last end):")
        for c, (s, e) in sorted(spans.items(), key=lambda kv: kv[1][0] - kv[1][1])[:12]:
            print(f"  {(e - s).total_seconds() / 60:6.1f} min  {c}")
    for r in failed:
        print(f"\nFAILED {classes.get(r.get('testId'), '?')}.{r.get('testName')}  ({r.get('duration')})")
        info = r.find("t:Output/t:ErrorInfo", NS)
        if info is not None:
            print(clip(info.findtext("t:Message", "", NS), 40))
            print(clip(info.findtext("t:StackTrace", "", NS), 25))
    print(f"===== {len(failed)} failed =====")


if __name__ == "__main__":
    main()
