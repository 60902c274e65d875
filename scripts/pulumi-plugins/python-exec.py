# Runs a Pulumi Python program for this repository's test language host (python-language-host.js): the same
# steps as the official host's `pulumi-language-python-exec`, over the `pulumi` package from PyPI.
#   python python-exec.py --monitor … --engine … --project … --stack … [--dry_run] [--parallel N] PROGRAM [args]
import argparse
import asyncio
import os
import runpy
import sys
import traceback

import pulumi
import pulumi.runtime


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--project", required=True)
    parser.add_argument("--stack", required=True)
    parser.add_argument("--monitor", required=True)
    parser.add_argument("--engine", required=True)
    parser.add_argument("--organization", default=None)
    parser.add_argument("--root_directory", default=None)
    parser.add_argument("--parallel", type=int, default=0)
    parser.add_argument("--dry_run", action="store_true")
    parser.add_argument("program")
    parser.add_argument("args", nargs=argparse.REMAINDER)
    a = parser.parse_args()

    settings = pulumi.runtime.Settings(
        project=a.project,
        stack=a.stack,
        monitor=a.monitor,
        engine=a.engine,
        parallel=a.parallel or None,
        dry_run=a.dry_run,
        organization=a.organization,
        root_directory=a.root_directory,
    )
    pulumi.runtime.configure(settings)

    program = a.program
    directory = program if os.path.isdir(program) else os.path.dirname(program)
    sys.path.insert(0, os.path.abspath(directory))
    sys.argv = [program, *a.args]

    def run() -> None:
        runpy.run_path(program, run_name="__main__")

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(pulumi.runtime.run_in_stack(run))
    except pulumi.RunError as e:
        pulumi.log.error(str(e))
        return 32
    except Exception:  # noqa: BLE001 - the program's own error, reported to the engine
        pulumi.log.error("Program failed with an unhandled exception:\n" + traceback.format_exc())
        return 32
    finally:
        loop.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
