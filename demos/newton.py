"""Run the 'newton' demo: `python demos/newton.py --help` lists its options."""

from autograd_mini.demos.newton import main

if __name__ == "__main__":
    raise SystemExit(main())
