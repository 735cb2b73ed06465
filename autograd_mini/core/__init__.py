"""The core, the lesson: a ``Value`` node, the op table, and the chain rule.

* :mod:`.engine` -- ``Value``, ``apply``, the topological order, the one reverse loop
  (``backward_pass``), ``backward``, ``gradients``, ``grad``: read it first;
* :mod:`.ops` -- the op table, one ``Primitive`` per op, its rules and how it is written;
* :mod:`.interpret` -- the one forward loop every other interpreter of a graph shares;
* :mod:`.transforms` -- ``jvp`` (forward mode), ``vjp``, ``hessian``;
* :mod:`.sums` -- ``sum`` and ``dot`` as one node each;
* :mod:`.checks` -- every check and error message, kept off the engine's page;
* the rest plugs in beside it: :mod:`.valuebase` (a Value's versions, comparisons),
  :mod:`.copying`, :mod:`.collector`, :mod:`.anomaly`, :mod:`.handwritten`,
  :mod:`.naming`, :mod:`.formulas`.

The core imports nothing of the package outside this folder.
"""
