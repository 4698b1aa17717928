"""The Python e2e stages' checks and their count, shared by py_client_test.py and py_oauth_test.py.

Prints one line per check and `py: N passed, M failed`; with E2E_PY_RESULTS set, also writes the counts
and the failed checks' names there as JSON, which is what the harness counts.
"""
import json
import os
import traceback

passed = 0
failed = 0
failures: list[str] = []


def check(name: str, cond: bool, detail: str = "") -> None:
    global passed, failed
    if cond:
        passed += 1
        print(f"  ok   {name}")
    else:
        failed += 1
        failures.append(name)
        print(f"  FAIL {name} {detail}")


def crashed(label: str, e: BaseException) -> None:
    """A flow that raised: counted as one failure, reported with its traceback."""
    global failed
    failed += 1
    failures.append(f"{label}: {type(e).__name__}")
    print(f"  FAIL {label}: {type(e).__name__}: {e}")
    traceback.print_exc()


def report() -> int:
    """Prints and writes the counts; the process's exit status (0 only when something passed and nothing failed)."""
    print(f"py: {passed} passed, {failed} failed")
    if os.environ.get("E2E_PY_RESULTS"):
        with open(os.environ["E2E_PY_RESULTS"], "w", encoding="utf-8") as f:
            json.dump({"passed": passed, "failed": failed, "failures": failures}, f)
    return 0 if failed == 0 and passed > 0 else 1
