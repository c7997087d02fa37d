"""`python -m backpoints` runs the command line."""

from backpoints.cli import main

main()
