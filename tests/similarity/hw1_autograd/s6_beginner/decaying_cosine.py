import autograd
import autograd.numpy as ag_np


def decaying_cosine(x):
    exponential_part = ag_np.exp(-x / 10)
    cosine_part = ag_np.cos(x)
    result = exponential_part * cosine_part
    return result


def decaying_cosine_grad(x):
    gradient_function = autograd.grad(decaying_cosine)
    x_as_a_float = x * 1.0
    derivative_value = gradient_function(x_as_a_float)
    return derivative_value
