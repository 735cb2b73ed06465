"""A correct engine with the lecture's closures, but every operator built directly
(no `self + (-other)`), x ** y with a Value exponent too, children in a list, and a
post-order walk with an explicit iterator stack.  check_engine must pass it."""

import math


class Value:
    def __init__(self, data, _children=(), _op=""):
        self.data, self.grad, self._op = data, 0, _op
        self._prev = list(_children)  # a list: order and repeats kept
        self._backward = lambda: None

    def _node(self, data, children, op, locals_):
        out = Value(data, children, op)

        def _backward():
            for child, local in zip(children, locals_(out)):
                child.grad += local * out.grad
        out._backward = _backward
        return out

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return self._node(self.data + other.data, (self, other), "+", lambda out: (1, 1))

    def __radd__(self, other):
        return Value(other) + self

    def __sub__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return self._node(self.data - other.data, (self, other), "-", lambda out: (1, -1))

    def __rsub__(self, other):
        return Value(other) - self

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return self._node(self.data * other.data, (self, other), "*",
                          lambda out: (other.data, self.data))

    def __rmul__(self, other):
        return Value(other) * self

    def __truediv__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return self._node(self.data / other.data, (self, other), "/",
                          lambda out: (1 / other.data, -out.data / other.data))

    def __rtruediv__(self, other):
        return Value(other) / self

    def __pow__(self, other):
        if isinstance(other, Value):
            return self._node(self.data ** other.data, (self, other), "**",
                              lambda out: (other.data * self.data ** (other.data - 1),
                                           out.data * math.log(self.data)))
        return self._node(self.data ** other, (self,), f"**{other}",
                          lambda out: (other * self.data ** (other - 1),))

    def __neg__(self):
        return self._node(-self.data, (self,), "neg", lambda out: (-1,))

    def exp(self):
        return self._node(math.exp(self.data), (self,), "exp", lambda out: (out.data,))

    def log(self):
        return self._node(math.log(self.data), (self,), "log", lambda out: (1 / self.data,))

    def tanh(self):
        return self._node(math.tanh(self.data), (self,), "tanh",
                          lambda out: (1 - out.data ** 2,))

    def relu(self):
        return self._node(self.data if self.data > 0 else 0, (self,), "relu",
                          lambda out: (1 if self.data > 0 else 0,))

    def sqrt(self):
        return self._node(math.sqrt(self.data), (self,), "sqrt",
                          lambda out: (0.5 / out.data,))

    def sin(self):
        return self._node(math.sin(self.data), (self,), "sin", lambda out: (math.cos(self.data),))

    def cos(self):
        return self._node(math.cos(self.data), (self,), "cos",
                          lambda out: (-math.sin(self.data),))

    def backward(self):
        topo, visited = [], {id(self)}
        stack = [(self, iter(self._prev))]
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                topo.append(node)
            elif id(child) not in visited:
                visited.add(id(child))
                stack.append((child, iter(child._prev)))
        self.grad = 1
        for node in reversed(topo):
            node._backward()
