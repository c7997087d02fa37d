"""`python -m backpoints` runs the command line."""

from backpoints.cli.main import main

main()
