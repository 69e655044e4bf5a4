"""``python -m crawler.cli``: the ``newsarchive`` command, as the scheduler starts its crawls."""

from crawler.cli import main

main(prog_name="newsarchive")
