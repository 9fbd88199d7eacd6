import copy

import autograd
import autograd.numpy as ag_np
import numpy as np


def trid(x_D):
    D = x_D.shape[0]
    total = 0.0
    for d in range(D):
        total = total + (x_D[d] - 1.0) ** 2
    for d in range(1, D):
        total = total - x_D[d] * x_D[d - 1]
    return total


_trid_gradient = autograd.grad(trid)


def trid_grad(x_D):
    return _trid_gradient(x_D)


def run_many_iters_of_gradient_descent(f, g, init_x_D=None, n_iters=100, step_size=0.001):
    D = len(init_x_D)
    cur = np.zeros(D)
    for d in range(D):
        cur[d] = init_x_D[d]

    history = {'iter': [], 'f': [], 'x_D': [], 'g_D': []}
    for it in range(n_iters):
        grad_now = g(cur)
        history['iter'].append(it)
        history['f'].append(f(cur))
        history['x_D'].append(cur)
        history['g_D'].append(grad_now)
        if it == n_iters - 1:
            break
        nxt = np.zeros(D)
        for d in range(D):
            nxt[d] = cur[d] - step_size * grad_now[d]
        cur = nxt
    return cur, history


def minimize_trid(init_x_D):
    D = len(init_x_D)
    cur = np.zeros(D)
    for d in range(D):
        cur[d] = init_x_D[d]
    lr = 0.4
    for it in range(100000):
        gr = trid_grad(cur)
        biggest = 0.0
        for d in range(D):
            cur[d] = cur[d] - lr * gr[d]
            if abs(gr[d]) > biggest:
                biggest = abs(gr[d])
        if biggest < 1e-7:
            break
    return cur
