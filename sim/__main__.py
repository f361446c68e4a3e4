"""`python -m sim` runs the `ehrsim` command."""

from sim.cli import main

main()
