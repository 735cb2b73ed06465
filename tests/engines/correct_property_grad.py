"""A correct engine in another shape: ops from two helpers (_unary, _binary) that take
the derivative rule, grad a property over a field, children in a frozenset, softplus and
abs as well, and backward() by depth-first post-order with a dict of visited ids.
check_engine must pass it with no failure."""

import math


class Node:
    def __init__(self):
        self._g = 0.0

    @property
    def grad(self):
        return self._g

    @grad.setter
    def grad(self, value):
        self._g = value


class Value(Node):
    def __init__(self, data, _children=(), _op=""):
        super().__init__()
        self.data = data
        self._prev = frozenset(_children)
        self._backward = lambda: None
        self._op = _op

    def _unary(self, data, rule, op):
        out = Value(data, (self,), op)

        def _backward():
            self.grad += rule(out) * out.grad
        out._backward = _backward
        return out

    def _binary(self, other, data, rules, op):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(data(self.data, other.data), (self, other), op)

        def _backward():
            da, db = rules(self.data, other.data)
            self.grad += da * out.grad
            other.grad += db * out.grad
        out._backward = _backward
        return out

    def __add__(self, other):
        return self._binary(other, lambda a, b: a + b, lambda a, b: (1.0, 1.0), "+")

    def __mul__(self, other):
        return self._binary(other, lambda a, b: a * b, lambda a, b: (b, a), "*")

    def __pow__(self, k):
        return self._unary(self.data ** k, lambda out: k * self.data ** (k - 1), f"**{k}")

    def __neg__(self):
        return self * -1

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return (-self) + other

    def __truediv__(self, other):
        return self * other ** -1

    def __rtruediv__(self, other):
        return self ** -1 * other

    def exp(self):
        return self._unary(math.exp(self.data), lambda out: out.data, "exp")

    def tanh(self):
        return self._unary(math.tanh(self.data), lambda out: 1 - out.data ** 2, "tanh")

    def sigmoid(self):
        return self._unary(0.5 * (1 + math.tanh(self.data / 2)),
                           lambda out: out.data * (1 - out.data), "sigmoid")

    def softplus(self):
        x = self.data
        return self._unary(max(x, 0.0) + math.log1p(math.exp(-abs(x))),
                           lambda out: 0.5 * (1 + math.tanh(x / 2)), "softplus")

    def __abs__(self):
        return self._unary(abs(self.data), lambda out: math.copysign(1.0, self.data), "abs")

    def relu(self):
        return self._unary(max(self.data, 0.0), lambda out: float(out.data > 0), "relu")

    def backward(self):
        order, done = [], {}
        stack = [self]
        while stack:
            node = stack[-1]
            if id(node) in done:
                stack.pop()
                if done[id(node)] == "open":
                    done[id(node)] = "closed"
                    order.append(node)
                continue
            done[id(node)] = "open"
            stack.extend(c for c in node._prev if id(c) not in done)
        self.grad = 1.0
        for node in reversed(order):
            node._backward()
