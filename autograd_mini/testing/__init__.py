"""Check gradients against finite differences -- for the built-in ops and for yours.

    >>> from autograd_mini.testing import gradcheck
    >>> gradcheck(lambda x, y: (x * y).tanh() + x.log(), [0.5, 2.0])
    True

``check_engine(Value)`` grades a whole engine with micrograd's API, yours or a student's
(:mod:`autograd_mini.testing.grader`).  The checks live in
:mod:`autograd_mini.testing.gradcheck`, the hypothesis strategies in
:mod:`autograd_mini.testing.strategies`, the numeric policy's table in
:mod:`autograd_mini.testing.policy`.
"""

from .gradcheck import GradcheckError, gradcheck, gradgradcheck, numeric_gradient
from .grader import Adapter, EngineReport, check_engine
from .isolation import check_engine_file

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError", "numeric_gradient",
           "check_engine", "check_engine_file", "EngineReport", "Adapter"]
