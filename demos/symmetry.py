"""Run the 'symmetry' demo: `python demos/symmetry.py --help` lists its options."""

from autograd_mini.demos.symmetry import main

if __name__ == "__main__":
    raise SystemExit(main())
