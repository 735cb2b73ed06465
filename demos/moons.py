"""Run the 'moons' demo: `python demos/moons.py --help` lists its options."""

from autograd_mini.demos.moons import main

if __name__ == "__main__":
    raise SystemExit(main())
