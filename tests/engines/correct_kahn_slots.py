"""A correct engine written unlike the lecture's: __slots__, each node's local
derivatives stored as numbers (no _backward closures), children kept in a tuple with
repeats (x * x has x twice), and backward() in Kahn's order (counting each node's users).
check_engine must pass it with no failure."""

import math


class Value:
    __slots__ = ("data", "grad", "_prev", "_local", "_op")

    def __init__(self, data, _children=(), _local=(), _op=""):
        self.data = float(data)
        self.grad = 0.0
        self._prev = tuple(_children)
        self._local = tuple(_local)
        self._op = _op

    @staticmethod
    def _wrap(other):
        return other if isinstance(other, Value) else Value(other)

    def __add__(self, other):
        other = self._wrap(other)
        return Value(self.data + other.data, (self, other), (1.0, 1.0), "+")

    def __mul__(self, other):
        other = self._wrap(other)
        return Value(self.data * other.data, (self, other), (other.data, self.data), "*")

    def __pow__(self, k):
        assert isinstance(k, (int, float))
        return Value(self.data ** k, (self,), (k * self.data ** (k - 1),), f"**{k}")

    def __neg__(self):
        return Value(-self.data, (self,), (-1.0,), "neg")

    def __sub__(self, other):
        other = self._wrap(other)
        return Value(self.data - other.data, (self, other), (1.0, -1.0), "-")

    def __rsub__(self, other):
        return self._wrap(other) - self

    def __truediv__(self, other):
        other = self._wrap(other)
        return Value(self.data / other.data, (self, other),
                     (1.0 / other.data, -self.data / other.data ** 2), "/")

    def __rtruediv__(self, other):
        return self._wrap(other) / self

    __radd__ = __add__
    __rmul__ = __mul__

    def exp(self):
        e = math.exp(self.data)
        return Value(e, (self,), (e,), "exp")

    def log(self):
        return Value(math.log(self.data), (self,), (1.0 / self.data,), "log")

    def tanh(self):  # through exp, of -2|x| only: no overflow
        e = math.exp(-2.0 * abs(self.data))
        t = math.copysign((1.0 - e) / (1.0 + e), self.data)
        return Value(t, (self,), (1.0 - t * t,), "tanh")

    def sigmoid(self):
        x = self.data
        s = 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))
        return Value(s, (self,), (s * (1.0 - s),), "sigmoid")

    def relu(self):
        return Value(max(self.data, 0.0), (self,), (float(self.data > 0),), "relu")

    def backward(self):
        users = {}  # id -> how many edges come into it from above
        seen, stack = {id(self)}, [self]
        while stack:
            node = stack.pop()
            for child in node._prev:
                users[id(child)] = users.get(id(child), 0) + 1
                if id(child) not in seen:
                    seen.add(id(child))
                    stack.append(child)
        self.grad = 1.0
        ready = [self]
        while ready:
            node = ready.pop()
            for child, local in zip(node._prev, node._local):
                child.grad += local * node.grad
                users[id(child)] -= 1
                if users[id(child)] == 0:
                    ready.append(child)

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"
