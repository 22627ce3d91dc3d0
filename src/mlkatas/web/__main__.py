"""`python -m mlkatas.web [--host H] [--port P] [--workers N] [--db URL]`: the site (as `mlkatas serve`)."""

import argparse

from mlkatas.web.serve import run

parser = argparse.ArgumentParser(prog="python -m mlkatas.web", description="Serve the mlkatas web site.")
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--port", type=int, default=8000)
parser.add_argument("--workers", type=int, default=1, help="processes")
parser.add_argument("--db", default=None, help="database URL or SQLite file (default: $MLKATAS_DB, else ./mlkatas.db)")
args = parser.parse_args()
run(args.host, args.port, args.workers, args.db)
