"""Switchyard's Python zygote: `python3 -u -B run_zygote.py`, started by the server (never by hand).

Imports the host and an environment's packages once, then forks one scoring instance per request
(switchyard_host/zygote.py). It lives next to run_host.py so that both start with the same sys.path.
"""
import sys

from switchyard_host.zygote import main

if __name__ == "__main__":
    sys.exit(main())
