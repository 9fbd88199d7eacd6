"""forward as a Python loop over the examples, each a loop over the powers (Horner-free:
x ** i term by term), stacked into shape (N,); the SGD loop as the lecture writes it."""
# exercise: polynomial_l1
import torch
from torch import nn


class PolynomialModel(nn.Module):
    def __init__(self, p):
        super().__init__()
        self.w = nn.Parameter(torch.zeros(p + 1, dtype=torch.float64))

    def forward(self, x_N):
        rows = []
        for n in range(x_N.shape[0]):
            yhat = self.w[0] * 1.0
            for i in range(1, self.w.shape[0]):
                yhat = yhat + self.w[i] * x_N[n] ** i
            rows.append(yhat)
        return torch.stack(rows)
