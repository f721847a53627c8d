"""``python -m graphsvc``: the ``graphsvc`` command."""

from graphsvc.cli import main

main()
