"""Run the 'family_trees' demo: `python demos/family_trees.py --help` lists its options."""

from autograd_mini.demos.family_trees import main

if __name__ == "__main__":
    raise SystemExit(main())
