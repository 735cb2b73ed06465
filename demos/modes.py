"""Run the 'modes' demo: `python demos/modes.py --help` lists its options."""

from autograd_mini.demos.modes import main

if __name__ == "__main__":
    raise SystemExit(main())
